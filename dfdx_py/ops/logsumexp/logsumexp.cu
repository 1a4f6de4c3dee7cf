// logsumexp: m + log Σ e^(x - m) over each row of a contiguous (rows, n) array, m the row
// maximum taken as 0 where it is infinite (PyTorch's rule: +inf gives +inf, a row of -inf
// gives -inf, and so does an empty row).
//
// The forward pass is softmax's fused row kernel (one block per row, the row read once when
// it fits in the threads' registers) writing one value per row; the backward pass is
// elementwise.
//   logsumexp_fwd_SUFFIX(rows, n, x, y)
//   logsumexp_bwd_SUFFIX(size, n, x, y, grad_y, grad_x):  grad_x = e^(x - y) * grad_y
#include "row_kernels.cuh"

template <typename T>
__device__ __forceinline__ void logsumexp_fwd(const size_t rows, const size_t n, const T *in,
                                              T *out) {
    __shared__ T part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const T *x = in + row * n;
        T m = -INFINITY, s = 0;
        if (fits_cache(n)) {
            T v[CACHE];
            each_cached(n, [&](int k, size_t j) { v[k] = x[j]; m = max_of(m, v[k]); });
            m = block_reduce(m, part, Max<T>());
            if (isinf(m)) m = 0;
            each_cached(n, [&](int k, size_t) { s += exp_of(v[k] - m); });
        } else {
            each_streamed(n, [&](size_t j) { m = max_of(m, x[j]); });
            m = block_reduce(m, part, Max<T>());
            if (isinf(m)) m = 0;
            each_streamed(n, [&](size_t j) { s += exp_of(x[j] - m); });
        }
        s = block_reduce(s, part, Sum<T>());
        if (threadIdx.x == 0) out[row] = log_of(s) + m;
    }
}

#define LOGSUMEXP(T, SUFFIX)                                                                \
    ROW_KERNEL logsumexp_fwd_##SUFFIX(const size_t rows, const size_t n, const T *x, T *y) { \
        logsumexp_fwd<T>(rows, n, x, y);                                                    \
    }                                                                                       \
    extern "C" __global__ void logsumexp_bwd_##SUFFIX(const size_t size, const size_t n,    \
                                                      const T *x, const T *y,               \
                                                      const T *grad_y, T *grad_x) {         \
        GRID_STRIDE(i, size) {                                                              \
            const size_t row = i / n;                                                       \
            grad_x[i] = exp_of(x[i] - y[row]) * grad_y[row];                                \
        }                                                                                   \
    }

LOGSUMEXP(float, f32)
LOGSUMEXP(double, f64)
