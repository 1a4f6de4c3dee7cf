// sub: a - b for two arrays of one shape, and x - scalar (p0).
// The gradient of a (and of x) is grad_y itself, so only b's gradient has a kernel.
#include "kernel_macros.cuh"

// grad_rhs = -grad_out (the gradient of b in a - b)
#define SUB_BWD_RHS(T, SUFFIX)                                                             \
    extern "C" __global__ void sub_bwd_rhs_##SUFFIX(const size_t n, const T *grad_out,      \
                                                    T *grad_rhs) {                         \
        GRID_STRIDE(i, n) { grad_rhs[i] = from_compute<T>(-to_compute(grad_out[i])); }     \
    }

#define SUB(T, SUFFIX)                                                                     \
    BINARY_FWD(T, SUFFIX, sub, a - b)                                                      \
    SUB_BWD_RHS(T, SUFFIX)                                                                 \
    UNARY_FWD(T, SUFFIX, scalar_sub, x - p0)

F32_HALVES_T(SUB)
SUB(double, f64)
BINARY_FWD(long long, i64, sub, a - b)
UNARY_FWD(long long, i64, scalar_sub, x - p0)
