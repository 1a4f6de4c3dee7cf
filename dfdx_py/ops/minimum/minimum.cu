// minimum: min(a, b) for two arrays of one shape, and min(x, scalar p0).
// NaN propagates: a NaN operand wins. The gradient goes to the smaller operand, half of it
// to each at a tie, and all of it to both where either is NaN (NaN comparisons are false),
// as on the Cpu (maximum/cpu.py: winner_grad).
#include "kernel_macros.cuh"

template <typename T> __device__ __forceinline__ T smaller(T a, T b) {
    return (a != a || a < b) ? a : b;  // a if it is NaN or smaller, else b (NaN if b is)
}

// g where x wins against other, g/2 at a tie, 0 where x loses
template <typename T> __device__ __forceinline__ T min_grad(T x, T other, T g) {
    return x > other ? T(0) : (x == other ? g * T(0.5) : g);
}

#define MINIMUM_FLOAT(T, SUFFIX)                                                           \
    BINARY_FWD(T, SUFFIX, minimum, smaller(a, b))                                          \
    BINARY_BWD(T, SUFFIX, minimum, a, min_grad(a, b, g), min_grad(b, a, g))                \
    UNARY_FWD(T, SUFFIX, scalar_minimum, smaller(x, p0))                                   \
    UNARY_BWD(T, SUFFIX, scalar_minimum, x, min_grad(x, p0, g))

F32_HALVES_T(MINIMUM_FLOAT)
MINIMUM_FLOAT(double, f64)
BINARY_FWD(long long, i64, minimum, a < b ? a : b)
UNARY_FWD(long long, i64, scalar_minimum, x < p0 ? x : p0)
