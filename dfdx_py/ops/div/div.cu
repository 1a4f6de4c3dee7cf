// div: a / b for two arrays of one shape, and x / scalar (p0); float only. Division by zero
// gives inf or nan (IEEE), as on the Cpu. The gradients are written as the Cpu computes them
// (g / b and -g * (y / b), with y = a / b), so both devices round alike.
#include "kernel_macros.cuh"

#define DIV(T, SUFFIX)                                                                     \
    BINARY_FWD(T, SUFFIX, div, a / b)                                                      \
    BINARY_BWD(T, SUFFIX, div, a / b, g / b, -g * (y / b))                                 \
    UNARY_FWD(T, SUFFIX, scalar_div, x / p0)                                               \
    UNARY_BWD(T, SUFFIX, scalar_div, x / p0, g / p0)

F32_HALVES_T(DIV)
DIV(double, f64)
