// sub: a - b for two arrays of one shape, and x - scalar (p0).
// The gradient of a (and of x) is grad_y itself, so only b's gradient has a kernel.
#include "kernel_macros.cuh"

// grad_rhs = -grad_out (the gradient of b in a - b)
#define SUB_BWD_RHS(T, SUFFIX)                                                             \
    extern "C" __global__ void sub_bwd_rhs_##SUFFIX(const size_t n, const T *grad_out,      \
                                                    T *grad_rhs) {                         \
        GRID_STRIDE(i, n) { grad_rhs[i] = -grad_out[i]; }                                  \
    }

BINARY_FWD(float, f32, sub, a - b)
BINARY_FWD(double, f64, sub, a - b)
BINARY_FWD(long long, i64, sub, a - b)
SUB_BWD_RHS(float, f32)
SUB_BWD_RHS(double, f64)

UNARY_FWD(float, f32, scalar_sub, x - p0)
UNARY_FWD(double, f64, scalar_sub, x - p0)
UNARY_FWD(long long, i64, scalar_sub, x - p0)
