// recip: 1 / x (±inf at ±0); the gradient is -y².
#include "kernel_macros.cuh"

UNARY_OP(float, f32, recip, 1.0f / x, -(y * y))
UNARY_OP(double, f64, recip, 1.0 / x, -(y * y))
