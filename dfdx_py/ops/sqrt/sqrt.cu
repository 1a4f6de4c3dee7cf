// sqrt: √x (NaN below 0); the gradient is grad * 0.5 / y (inf at 0).
#include "kernel_macros.cuh"

UNARY_FWD(float, f32, sqrt, sqrtf(x))
UNARY_FWD(double, f64, sqrt, sqrt(x))

// (grad * 0.5) / y rather than (0.5 / y) * grad: the Cpu's rounding
#define SQRT_BWD(T, SUFFIX)                                                                \
    extern "C" __global__ void sqrt_bwd_##SUFFIX(const size_t n, const T p0, const T p1,    \
                                                 const T *inp, const T *out,               \
                                                 const T *grad_out, T *grad_inp) {         \
        GRID_STRIDE(i, n) { grad_inp[i] = grad_out[i] * (T)0.5 / out[i]; }                 \
    }

SQRT_BWD(float, f32)
SQRT_BWD(double, f64)
