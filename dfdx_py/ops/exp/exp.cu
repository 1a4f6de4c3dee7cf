// exp: e^x (inf where it overflows); the gradient is the output y.
#include "kernel_macros.cuh"

F32_HALVES(UNARY_OP, exp, expf(x), y)
UNARY_OP(double, f64, exp, exp(x), y)
