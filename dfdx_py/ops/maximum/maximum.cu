// maximum: max(a, b) for two arrays of one shape, and max(x, scalar p0).
// NaN propagates: a NaN operand wins. The gradient goes to the larger operand, half of it to
// each at a tie, and all of it to both where either is NaN (NaN comparisons are false), as
// on the Cpu (maximum/cpu.py: winner_grad).
#include "kernel_macros.cuh"

template <typename T> __device__ __forceinline__ T larger(T a, T b) {
    return (a != a || a > b) ? a : b;  // a if it is NaN or larger, else b (NaN if b is)
}

// g where x wins against other, g/2 at a tie, 0 where x loses
template <typename T> __device__ __forceinline__ T max_grad(T x, T other, T g) {
    return x < other ? T(0) : (x == other ? g * T(0.5) : g);
}

#define MAXIMUM_FLOAT(T, SUFFIX)                                                           \
    BINARY_FWD(T, SUFFIX, maximum, larger(a, b))                                           \
    extern "C" __global__ void maximum_bwd_##SUFFIX(                                       \
        const size_t n, const T *lhs, const T *rhs, const T *out, const T *grad_out,       \
        T *grad_lhs, T *grad_rhs) {                                                        \
        GRID_STRIDE(i, n) {                                                                \
            const T a = lhs[i];                                                            \
            const T b = rhs[i];                                                            \
            const T g = grad_out[i];                                                       \
            if (grad_lhs) grad_lhs[i] = max_grad(a, b, g);                                 \
            if (grad_rhs) grad_rhs[i] = max_grad(b, a, g);                                 \
        }                                                                                  \
    }                                                                                      \
    UNARY_FWD(T, SUFFIX, scalar_maximum, larger(x, p0))                                    \
    extern "C" __global__ void scalar_maximum_bwd_##SUFFIX(                                \
        const size_t n, const T p0, const T p1, const T *inp, const T *out,                \
        const T *grad_out, T *grad_inp) {                                                  \
        GRID_STRIDE(i, n) { grad_inp[i] = max_grad(inp[i], p0, grad_out[i]); }             \
    }

MAXIMUM_FLOAT(float, f32)
MAXIMUM_FLOAT(double, f64)
BINARY_FWD(long long, i64, maximum, a > b ? a : b)
UNARY_FWD(long long, i64, scalar_maximum, x > p0 ? x : p0)
