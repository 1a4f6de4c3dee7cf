// cos: cos(x); the gradient is -sin(x).
#include "kernel_macros.cuh"

UNARY_OP(float, f32, cos, cosf(x), -sinf(x))
UNARY_OP(double, f64, cos, cos(x), -sin(x))
