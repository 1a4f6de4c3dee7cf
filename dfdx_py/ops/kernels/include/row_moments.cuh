// Row moments: the mean and the squared deviations of a row, for var, std and normalize.
#pragma once
#include "row_kernels.cuh"

// v holds this thread's elements of the row when it fits the registers (load_row); otherwise
// x is read again.

template <typename T>
__device__ __forceinline__ void load_row(const size_t n, const T *x, T *v) {
    if (fits_cache(n)) each_cached(n, [&](int k, size_t j) { v[k] = x[j]; });
}

// The mean of the row (every thread gets it; NaN for an empty row).
template <typename T>
__device__ __forceinline__ T row_mean(const size_t n, const T *x, const T *v, T *part) {
    T s = 0;
    if (fits_cache(n)) {
        each_cached(n, [&](int k, size_t) { s += v[k]; });
    } else {
        each_streamed(n, [&](size_t j) { s += x[j]; });
    }
    return block_reduce(s, part, Sum<T>()) / T(n);
}

// Σ (x - mean)² over the row (every thread gets it).
template <typename T>
__device__ __forceinline__ T row_squared_deviations(const size_t n, const T *x, const T *v,
                                                    const T mean, T *part) {
    T s = 0;
    if (fits_cache(n)) {
        each_cached(n, [&](int k, size_t) { s += (v[k] - mean) * (v[k] - mean); });
    } else {
        each_streamed(n, [&](size_t j) { s += (x[j] - mean) * (x[j] - mean); });
    }
    return block_reduce(s, part, Sum<T>());
}

