// sin: sin(x); the gradient is cos(x).
#include "kernel_macros.cuh"

F32_HALVES(UNARY_OP, sin, sinf(x), cosf(x))
UNARY_OP(double, f64, sin, sin(x), cos(x))
