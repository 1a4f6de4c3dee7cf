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
    BINARY_BWD(T, SUFFIX, maximum, a, max_grad(a, b, g), max_grad(b, a, g))                \
    UNARY_FWD(T, SUFFIX, scalar_maximum, larger(x, p0))                                    \
    UNARY_BWD(T, SUFFIX, scalar_maximum, x, max_grad(x, p0, g))

F32_HALVES_T(MAXIMUM_FLOAT)
MAXIMUM_FLOAT(double, f64)
BINARY_FWD(long long, i64, maximum, a > b ? a : b)
UNARY_FWD(long long, i64, scalar_maximum, x > p0 ? x : p0)
