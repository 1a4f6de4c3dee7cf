// nans_to: x with every NaN replaced by the value p0 (infinities kept); the gradient is 0
// where x is NaN and passes elsewhere.
#include "kernel_macros.cuh"

#define NANS_TO(T, SUFFIX)                                                                 \
    UNARY_FWD(T, SUFFIX, nans_to, isnan(x) ? p0 : x)                                       \
    extern "C" __global__ void nans_to_bwd_##SUFFIX(const size_t n, const T p0, const T p1, \
                                                    const T *inp, const T *out,            \
                                                    const T *grad_out, T *grad_inp) {      \
        GRID_STRIDE(i, n) { grad_inp[i] = isnan(inp[i]) ? (T)0 : grad_out[i]; }            \
    }

NANS_TO(float, f32)
NANS_TO(double, f64)
