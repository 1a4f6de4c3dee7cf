// powi: x^n for an integer exponent n, passed as p0 = n and p1 = n - 1 in the tensor's dtype
// (the values the Cpu's np.power sees). The gradient is n x^(n-1), and 0 everywhere when
// n == 0 (as PyTorch).
#include "kernel_macros.cuh"

// x^e for a whole number e in f64: by multiplication for |e| <= 4, so that small powers of
// exact values stay exact (2^3 = 8, (-3)^-1 = 1 / -3 rounded once), else with pow. x^0 = 1,
// NaN included, as pow.
__device__ __forceinline__ double powi_f64(const double x, const double e) {
    if (fabs(e) <= 4.0) {
        const int m = (int)fabs(e);
        double r = 1.0;
        for (int k = 0; k < m; ++k) r *= x;
        return e < 0.0 ? 1.0 / r : r;
    }
    return pow(x, e);
}

// f32 computes in f64 and rounds once
__device__ __forceinline__ float powi_f32(const float x, const float e) {
    return (float)powi_f64((double)x, (double)e);
}

#define POWI(T, SUFFIX)                                                                    \
    UNARY_FWD(T, SUFFIX, powi, powi_##SUFFIX(x, p0))                                       \
    extern "C" __global__ void powi_bwd_##SUFFIX(const size_t n, const T p0, const T p1,    \
                                                 const T *inp, const T *out,               \
                                                 const T *grad_out, T *grad_inp) {         \
        GRID_STRIDE(i, n) {                                                                \
            grad_inp[i] =                                                                  \
                p0 == (T)0 ? (T)0 : grad_out[i] * (p0 * powi_##SUFFIX(inp[i], p1));        \
        }                                                                                  \
    }

POWI(float, f32)
POWI(double, f64)
