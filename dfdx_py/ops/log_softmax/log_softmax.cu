// log_softmax: (x - max) - log Σ e^(x - max) along the rows of a contiguous (rows, n) array.
//
// softmax's fused row kernel (one block per row, the row read once when it fits in the
// threads' registers), ending in a log instead of a division, so it never takes the log of
// an underflowed softmax.
//   log_softmax_fwd_SUFFIX(rows, n, x, y)
//   log_softmax_bwd_SUFFIX(rows, n, y, grad_y, grad_x):  grad_x = grad_y - e^y * Σ grad_y
#include "row_kernels.cuh"

template <typename T>
__device__ __forceinline__ void log_softmax_fwd(const size_t rows, const size_t n, const T *in,
                                                T *out) {
    __shared__ T part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const T *x = in + row * n;
        T *y = out + row * n;
        T m = -INFINITY, s = 0;
        if (fits_cache(n)) {
            T v[CACHE];
            each_cached(n, [&](int k, size_t j) { v[k] = x[j]; m = max_of(m, v[k]); });
            m = block_reduce(m, part, Max<T>());
            each_cached(n, [&](int k, size_t) { v[k] -= m; s += exp_of(v[k]); });
            const T lse = log_of(block_reduce(s, part, Sum<T>()));
            each_cached(n, [&](int k, size_t j) { y[j] = v[k] - lse; });
        } else {
            each_streamed(n, [&](size_t j) { m = max_of(m, x[j]); });
            m = block_reduce(m, part, Max<T>());
            each_streamed(n, [&](size_t j) { s += exp_of(x[j] - m); });
            const T lse = log_of(block_reduce(s, part, Sum<T>()));
            each_streamed(n, [&](size_t j) { y[j] = (x[j] - m) - lse; });
        }
    }
}

template <typename T>
__device__ __forceinline__ void log_softmax_bwd(const size_t rows, const size_t n, const T *out,
                                                const T *grad_out, T *grad_in) {
    __shared__ T part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const T *y = out + row * n;
        const T *g = grad_out + row * n;
        T *gx = grad_in + row * n;
        T s = 0;
        if (fits_cache(n)) {
            T vg[CACHE];
            each_cached(n, [&](int k, size_t j) { vg[k] = g[j]; s += vg[k]; });
            s = block_reduce(s, part, Sum<T>());
            each_cached(n, [&](int k, size_t j) { gx[j] = vg[k] - exp_of(y[j]) * s; });
        } else {
            each_streamed(n, [&](size_t j) { s += g[j]; });
            s = block_reduce(s, part, Sum<T>());
            each_streamed(n, [&](size_t j) { gx[j] = g[j] - exp_of(y[j]) * s; });
        }
    }
}

#define LOG_SOFTMAX(T, SUFFIX)                                                              \
    ROW_KERNEL log_softmax_fwd_##SUFFIX(const size_t rows, const size_t n, const T *x, T *y) { \
        log_softmax_fwd<T>(rows, n, x, y);                                                  \
    }                                                                                       \
    ROW_KERNEL log_softmax_bwd_##SUFFIX(const size_t rows, const size_t n, const T *y,      \
                                        const T *grad_y, T *grad_x) {                       \
        log_softmax_bwd<T>(rows, n, y, grad_y, grad_x);                                     \
    }

LOG_SOFTMAX(float, f32)
LOG_SOFTMAX(double, f64)
