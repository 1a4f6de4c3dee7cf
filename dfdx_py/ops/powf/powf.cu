// powf: x^e for a float exponent e = p0; p1 = e - 1 (rounded once from the exact value, as
// the Cpu). The gradient is e x^(e-1), and 0 everywhere when e == 0 (as PyTorch).
// f32 computes in f64 and rounds once, which keeps exact powers exact (4^0.5 = 2).
#include "kernel_macros.cuh"

__device__ __forceinline__ float pow_f32(const float x, const float e) {
    return (float)pow((double)x, (double)e);
}

#define POWF(T, SUFFIX, POW)                                                               \
    UNARY_FWD(T, SUFFIX, powf, POW(x, p0))                                                 \
    extern "C" __global__ void powf_bwd_##SUFFIX(const size_t n, const T p0, const T p1,    \
                                                 const T *inp, const T *out,               \
                                                 const T *grad_out, T *grad_inp) {         \
        GRID_STRIDE(i, n) {                                                                \
            grad_inp[i] = p0 == (T)0 ? (T)0 : grad_out[i] * (p0 * POW(inp[i], p1));        \
        }                                                                                  \
    }

POWF(float, f32, pow_f32)
POWF(double, f64, pow)
