// square: x * x; the gradient is 2x.
#include "kernel_macros.cuh"

F32_HALVES(UNARY_OP, square, x * x, 2.0f * x)
UNARY_OP(double, f64, square, x * x, 2.0 * x)
// in unsigned arithmetic: an overflow wraps as in numpy (no signed overflow)
UNARY_FWD(long long, i64, square, (long long)((unsigned long long)x * (unsigned long long)x))
