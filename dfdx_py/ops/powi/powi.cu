// powi: x^n for an integer exponent n, passed as p0 = n and p1 = n - 1 in the kernel's
// compute type (the values the Cpu's np.power sees). The gradient is n x^(n-1), and 0
// everywhere when n == 0 (as PyTorch).
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

// f32 (and f16, bf16) compute in f64 and round once
__device__ __forceinline__ float powi_f32(const float x, const float e) {
    return (float)powi_f64((double)x, (double)e);
}

#define POWI(T, SUFFIX, POW)                                                               \
    UNARY_FWD(T, SUFFIX, powi, POW(x, p0))                                                 \
    UNARY_BWD(T, SUFFIX, powi, x, p0 == 0 ? 0 : g * (p0 * POW(x, p1)))

F32_HALVES(POWI, powi_f32)
POWI(double, f64, powi_f64)
