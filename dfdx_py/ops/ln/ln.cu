// ln: the natural log (-inf at 0, NaN below); the gradient is grad / x (inf at 0).
#include "kernel_macros.cuh"

UNARY_FWD(float, f32, ln, logf(x))
UNARY_FWD(double, f64, ln, log(x))

// grad / x rather than (1 / x) * grad: the Cpu's rounding
#define LN_BWD(T, SUFFIX)                                                                  \
    extern "C" __global__ void ln_bwd_##SUFFIX(const size_t n, const T p0, const T p1,      \
                                               const T *inp, const T *out,                 \
                                               const T *grad_out, T *grad_inp) {           \
        GRID_STRIDE(i, n) { grad_inp[i] = grad_out[i] / inp[i]; }                          \
    }

LN_BWD(float, f32)
LN_BWD(double, f64)
