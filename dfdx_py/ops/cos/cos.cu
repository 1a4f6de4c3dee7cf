// cos: cos(x); the gradient is -sin(x).
#include "kernel_macros.cuh"

F32_HALVES(UNARY_OP, cos, cosf(x), -sinf(x))
UNARY_OP(double, f64, cos, cos(x), -sin(x))
