// Row moments: the mean and the squared deviations of a row, for var, std and normalize, in
// the compute type C = compute_t<T> (f32 for f16 and bf16).
#pragma once
#include "row_kernels.cuh"

// v holds this thread's elements of the row when it fits the registers (load_row); otherwise
// x is read again.

template <typename T>
__device__ __forceinline__ void load_row(const size_t n, const T *x, compute_t<T> *v) {
    if (fits_cache(n)) each_cached(n, [&](int k, size_t j) { v[k] = to_compute(x[j]); });
}

// The mean of the row (every thread gets it; NaN for an empty row).
template <typename T, typename C = compute_t<T>>
__device__ __forceinline__ C row_mean(const size_t n, const T *x, const C *v, C *part) {
    C s = 0;
    if (fits_cache(n)) {
        each_cached(n, [&](int k, size_t) { s += v[k]; });
    } else {
        each_streamed(n, [&](size_t j) { s += to_compute(x[j]); });
    }
    return block_reduce(s, part, Sum<C>()) / C(n);
}

// Σ (x - mean)² over the row (every thread gets it).
template <typename T, typename C = compute_t<T>>
__device__ __forceinline__ C row_squared_deviations(const size_t n, const T *x, const C *v,
                                                    const C mean, C *part) {
    C s = 0;
    if (fits_cache(n)) {
        each_cached(n, [&](int k, size_t) { s += (v[k] - mean) * (v[k] - mean); });
    } else {
        each_streamed(n, [&](size_t j) {
            const C d = to_compute(x[j]) - mean;
            s += d * d;
        });
    }
    return block_reduce(s, part, Sum<C>());
}
