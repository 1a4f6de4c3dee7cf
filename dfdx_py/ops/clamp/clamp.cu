// clamp: min(max(x, lo), hi) with lo = p0, hi = p1; NaN stays NaN (both comparisons fail).
// The gradient passes where lo <= x <= hi (bounds included) and is 0 elsewhere, NaN included.
#include "kernel_macros.cuh"

#define CLAMP(T, SUFFIX)                                                                   \
    UNARY_FWD(T, SUFFIX, clamp, x < p0 ? p0 : (x > p1 ? p1 : x))                           \
    UNARY_BWD(T, SUFFIX, clamp, x, (x >= p0 && x <= p1) ? g : 0)

F32_HALVES_T(CLAMP)
CLAMP(double, f64)
UNARY_FWD(long long, i64, clamp, x < p0 ? p0 : (x > p1 ? p1 : x))
