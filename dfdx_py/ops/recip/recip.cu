// recip: 1 / x (±inf at ±0); the gradient is -y².
#include "kernel_macros.cuh"

F32_HALVES(UNARY_OP, recip, 1.0f / x, -(y * y))
UNARY_OP(double, f64, recip, 1.0 / x, -(y * y))
