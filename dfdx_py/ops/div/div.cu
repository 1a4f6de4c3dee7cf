// div: a / b for two arrays of one shape, and x / scalar (p0); float only. Division by zero
// gives inf or nan (IEEE), as on the Cpu. The gradients are written as the Cpu computes them
// (g / b and -g * (y / b), with y = a / b), so both devices round alike.
#include "kernel_macros.cuh"

// grad_lhs = g / b, grad_rhs = -g * (y / b); a null pointer skips that gradient
#define DIV_BWD(T, SUFFIX)                                                                 \
    extern "C" __global__ void div_bwd_##SUFFIX(                                           \
        const size_t n, const T *lhs, const T *rhs, const T *out, const T *grad_out,       \
        T *grad_lhs, T *grad_rhs) {                                                        \
        GRID_STRIDE(i, n) {                                                                \
            const T b = rhs[i];                                                            \
            const T g = grad_out[i];                                                       \
            if (grad_lhs) grad_lhs[i] = g / b;                                             \
            if (grad_rhs) grad_rhs[i] = -g * (out[i] / b);                                 \
        }                                                                                  \
    }

// grad_inp = g / p0 (the UNARY_OP backward signature; x and y are not read)
#define SCALAR_DIV_BWD(T, SUFFIX)                                                          \
    extern "C" __global__ void scalar_div_bwd_##SUFFIX(                                    \
        const size_t n, const T p0, const T p1, const T *inp, const T *out,                \
        const T *grad_out, T *grad_inp) {                                                  \
        GRID_STRIDE(i, n) { grad_inp[i] = grad_out[i] / p0; }                              \
    }

BINARY_FWD(float, f32, div, a / b)
BINARY_FWD(double, f64, div, a / b)
DIV_BWD(float, f32)
DIV_BWD(double, f64)

UNARY_FWD(float, f32, scalar_div, x / p0)
UNARY_FWD(double, f64, scalar_div, x / p0)
SCALAR_DIV_BWD(float, f32)
SCALAR_DIV_BWD(double, f64)
