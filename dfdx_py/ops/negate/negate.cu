// negate: -x; the gradient is -1.
#include "kernel_macros.cuh"

F32_HALVES(UNARY_OP, negate, -x, -1.0f)
UNARY_OP(double, f64, negate, -x, -1.0)
// in unsigned arithmetic: -(i64 min) wraps to i64 min, as in numpy (no signed overflow)
UNARY_FWD(long long, i64, negate, (long long)(0ull - (unsigned long long)x))
