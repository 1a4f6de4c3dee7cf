// clamp: min(max(x, lo), hi) with lo = p0, hi = p1; NaN stays NaN (both comparisons fail).
// The gradient passes where lo <= x <= hi (bounds included) and is 0 elsewhere, NaN included.
#include "kernel_macros.cuh"

#define CLAMP(T, SUFFIX)                                                                   \
    UNARY_FWD(T, SUFFIX, clamp, x < p0 ? p0 : (x > p1 ? p1 : x))                           \
    extern "C" __global__ void clamp_bwd_##SUFFIX(const size_t n, const T p0, const T p1,   \
                                                  const T *inp, const T *out,              \
                                                  const T *grad_out, T *grad_inp) {        \
        GRID_STRIDE(i, n) {                                                                \
            const T x = inp[i];                                                            \
            grad_inp[i] = (x >= p0 && x <= p1) ? grad_out[i] : (T)0;                       \
        }                                                                                  \
    }

CLAMP(float, f32)
CLAMP(double, f64)
UNARY_FWD(long long, i64, clamp, x < p0 ? p0 : (x > p1 ? p1 : x))
