// powf: x^e for a float exponent e = p0; p1 = e - 1 (rounded once from the exact value, as
// the Cpu). The gradient is e x^(e-1), and 0 everywhere when e == 0 (as PyTorch).
// f32 (and f16, bf16) compute in f64 and round once, which keeps exact powers exact
// (4^0.5 = 2).
#include "kernel_macros.cuh"

__device__ __forceinline__ float pow_f32(const float x, const float e) {
    return (float)pow((double)x, (double)e);
}

#define POWF(T, SUFFIX, POW)                                                               \
    UNARY_FWD(T, SUFFIX, powf, POW(x, p0))                                                 \
    UNARY_BWD(T, SUFFIX, powf, x, p0 == 0 ? 0 : g * (p0 * POW(x, p1)))

F32_HALVES(POWF, pow_f32)
POWF(double, f64, pow)
