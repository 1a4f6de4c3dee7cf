// abs: |x|; the gradient is sign(x): 0 at 0, NaN at NaN (as numpy's sign).
#include "kernel_macros.cuh"

F32_HALVES(UNARY_OP, abs, fabsf(x), x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x))
UNARY_OP(double, f64, abs, fabs(x), x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : x))
// in unsigned arithmetic: |i64 min| wraps to i64 min, as in numpy (no signed overflow)
UNARY_FWD(long long, i64, abs,
          (long long)(x < 0 ? 0ull - (unsigned long long)x : (unsigned long long)x))
