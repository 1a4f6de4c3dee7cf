// sin: sin(x); the gradient is cos(x).
#include "kernel_macros.cuh"

UNARY_OP(float, f32, sin, sinf(x), cosf(x))
UNARY_OP(double, f64, sin, sin(x), cos(x))
