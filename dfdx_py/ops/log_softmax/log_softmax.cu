// log_softmax: (x - max) - log Σ e^(x - max) along the rows of a contiguous (rows, n) array.
//
// softmax's fused row kernel (one block per row, the row read once when it fits in the
// threads' registers), ending in a log instead of a division, so it never takes the log of
// an underflowed softmax. Computed in compute_t<T> (f32 for f16 and bf16), rounded once
// when stored.
//   log_softmax_fwd_SUFFIX(rows, n, x, y)
//   log_softmax_bwd_SUFFIX(rows, n, y, grad_y, grad_x):  grad_x = grad_y - e^y * Σ grad_y
#include "row_kernels.cuh"

template <typename T>
__device__ __forceinline__ void log_softmax_fwd(const size_t rows, const size_t n, const T *in,
                                                T *out) {
    typedef compute_t<T> C;
    __shared__ C part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const T *x = in + row * n;
        T *y = out + row * n;
        C m = -INFINITY, s = 0;
        if (fits_cache(n)) {
            C v[CACHE];
            each_cached(n, [&](int k, size_t j) { v[k] = to_compute(x[j]); m = max_of(m, v[k]); });
            m = block_reduce(m, part, Max<C>());
            each_cached(n, [&](int k, size_t) { v[k] -= m; s += exp_of(v[k]); });
            const C lse = log_of(block_reduce(s, part, Sum<C>()));
            each_cached(n, [&](int k, size_t j) { y[j] = from_compute<T>(v[k] - lse); });
        } else {
            each_streamed(n, [&](size_t j) { m = max_of(m, to_compute(x[j])); });
            m = block_reduce(m, part, Max<C>());
            each_streamed(n, [&](size_t j) { s += exp_of(to_compute(x[j]) - m); });
            const C lse = log_of(block_reduce(s, part, Sum<C>()));
            each_streamed(n, [&](size_t j) {
                y[j] = from_compute<T>((to_compute(x[j]) - m) - lse);
            });
        }
    }
}

template <typename T>
__device__ __forceinline__ void log_softmax_bwd(const size_t rows, const size_t n, const T *out,
                                                const T *grad_out, T *grad_in) {
    typedef compute_t<T> C;
    __shared__ C part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const T *y = out + row * n;
        const T *g = grad_out + row * n;
        T *gx = grad_in + row * n;
        C s = 0;
        if (fits_cache(n)) {
            C vg[CACHE];
            each_cached(n, [&](int k, size_t j) { vg[k] = to_compute(g[j]); s += vg[k]; });
            s = block_reduce(s, part, Sum<C>());
            each_cached(n, [&](int k, size_t j) {
                gx[j] = from_compute<T>(vg[k] - exp_of(to_compute(y[j])) * s);
            });
        } else {
            each_streamed(n, [&](size_t j) { s += to_compute(g[j]); });
            s = block_reduce(s, part, Sum<C>());
            each_streamed(n, [&](size_t j) {
                gx[j] = from_compute<T>(to_compute(g[j]) - exp_of(to_compute(y[j])) * s);
            });
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

F32_HALVES_T(LOG_SOFTMAX)
LOG_SOFTMAX(double, f64)
