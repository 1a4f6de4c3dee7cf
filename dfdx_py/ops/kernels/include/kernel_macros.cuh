// Macros every .cu file of dfdx_py shares, so that an op writes only its formulas.
//
// Kernels take contiguous arrays and loop with a grid stride, so one launch of any grid size
// covers n elements. Backward kernels WRITE the input gradient (grad_inp[i] = ...); the tape
// adds it into an existing gradient when a tensor feeds several ops.
#pragma once
#include <cstddef>

#define GRID_STRIDE(i, n)                                                                  \
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < (n);                \
         i += (size_t)blockDim.x * gridDim.x)

// A unary op with up to two scalar parameters p0, p1 (unused ones are ignored).
// FWD is an expression in x, p0, p1; DFDX (dy/dx) an expression in x, y, p0, p1.
//   name_fwd_SUFFIX(n, p0, p1, inp, out)
//   name_bwd_SUFFIX(n, p0, p1, inp, out, grad_out, grad_inp)
#define UNARY_OP(T, SUFFIX, NAME, FWD, DFDX)                                               \
    extern "C" __global__ void NAME##_fwd_##SUFFIX(const size_t n, const T p0, const T p1,  \
                                                   const T *inp, T *out) {                 \
        GRID_STRIDE(i, n) {                                                                \
            const T x = inp[i];                                                            \
            out[i] = (FWD);                                                                \
        }                                                                                  \
    }                                                                                      \
    extern "C" __global__ void NAME##_bwd_##SUFFIX(const size_t n, const T p0, const T p1,  \
                                                   const T *inp, const T *out,             \
                                                   const T *grad_out, T *grad_inp) {       \
        GRID_STRIDE(i, n) {                                                                \
            const T x = inp[i];                                                            \
            const T y = out[i];                                                            \
            grad_inp[i] = (DFDX) * grad_out[i];                                            \
        }                                                                                  \
    }

// A unary op that runs forward only (integer variants, comparisons with a scalar).
#define UNARY_FWD(T, SUFFIX, NAME, FWD)                                                    \
    extern "C" __global__ void NAME##_fwd_##SUFFIX(const size_t n, const T p0, const T p1,  \
                                                   const T *inp, T *out) {                 \
        GRID_STRIDE(i, n) {                                                                \
            const T x = inp[i];                                                            \
            out[i] = (FWD);                                                                \
        }                                                                                  \
    }

// A binary op on two arrays of one shape. FWD is an expression in a, b; DFDA and DFDB the
// partial derivatives, expressions in a, b, y. The backward kernel writes either gradient
// (a null pointer skips it).
//   name_fwd_SUFFIX(n, lhs, rhs, out)
//   name_bwd_SUFFIX(n, lhs, rhs, out, grad_out, grad_lhs, grad_rhs)
#define BINARY_OP(T, SUFFIX, NAME, FWD, DFDA, DFDB)                                        \
    extern "C" __global__ void NAME##_fwd_##SUFFIX(const size_t n, const T *lhs,            \
                                                   const T *rhs, T *out) {                 \
        GRID_STRIDE(i, n) {                                                                \
            const T a = lhs[i];                                                            \
            const T b = rhs[i];                                                            \
            out[i] = (FWD);                                                                \
        }                                                                                  \
    }                                                                                      \
    extern "C" __global__ void NAME##_bwd_##SUFFIX(                                        \
        const size_t n, const T *lhs, const T *rhs, const T *out, const T *grad_out,       \
        T *grad_lhs, T *grad_rhs) {                                                        \
        GRID_STRIDE(i, n) {                                                                \
            const T a = lhs[i];                                                            \
            const T b = rhs[i];                                                            \
            const T y = out[i];                                                            \
            const T g = grad_out[i];                                                       \
            if (grad_lhs) grad_lhs[i] = (DFDA) * g;                                        \
            if (grad_rhs) grad_rhs[i] = (DFDB) * g;                                        \
        }                                                                                  \
    }

// Forward only, for integer dtypes.
#define BINARY_FWD(T, SUFFIX, NAME, FWD)                                                   \
    extern "C" __global__ void NAME##_fwd_##SUFFIX(const size_t n, const T *lhs,            \
                                                   const T *rhs, T *out) {                 \
        GRID_STRIDE(i, n) {                                                                \
            const T a = lhs[i];                                                            \
            const T b = rhs[i];                                                            \
            out[i] = (FWD);                                                                \
        }                                                                                  \
    }
