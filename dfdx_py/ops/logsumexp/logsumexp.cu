// logsumexp: m + log Σ e^(x - m) over each row of a contiguous (rows, n) array, m the row
// maximum taken as 0 where it is infinite (PyTorch's rule: +inf gives +inf, a row of -inf
// gives -inf, and so does an empty row).
//
// The forward pass is softmax's fused row kernel (one block per row, the row read once when
// it fits in the threads' registers) writing one value per row; the backward pass is
// elementwise. Both compute in compute_t<T> (f32 for f16 and bf16). The half types' backward
// pass is a row kernel too: it recomputes y in f32 rather than read the rounded y, which
// would be off by |y| units of roundoff in every e^(x - y) (the Cpu does the same).
//   logsumexp_fwd_SUFFIX(rows, n, x, y)
//   logsumexp_bwd_SUFFIX(size, n, x, y, grad_y, grad_x):  grad_x = e^(x - y) * grad_y
//   logsumexp_bwd_rows_SUFFIX(rows, n, x, grad_y, grad_x)  (f16, bf16): the same
#include "row_kernels.cuh"

// The row's logsumexp (every thread of the block gets it).
template <typename T, typename C = compute_t<T>>
__device__ __forceinline__ C row_logsumexp(const size_t n, const T *x, C *part) {
    C m = -INFINITY, s = 0;
    if (fits_cache(n)) {
        C v[CACHE];
        each_cached(n, [&](int k, size_t j) { v[k] = to_compute(x[j]); m = max_of(m, v[k]); });
        m = block_reduce(m, part, Max<C>());
        if (isinf(m)) m = 0;
        each_cached(n, [&](int k, size_t) { s += exp_of(v[k] - m); });
    } else {
        each_streamed(n, [&](size_t j) { m = max_of(m, to_compute(x[j])); });
        m = block_reduce(m, part, Max<C>());
        if (isinf(m)) m = 0;
        each_streamed(n, [&](size_t j) { s += exp_of(to_compute(x[j]) - m); });
    }
    return log_of(block_reduce(s, part, Sum<C>())) + m;
}

template <typename T>
__device__ __forceinline__ void logsumexp_fwd(const size_t rows, const size_t n, const T *in,
                                              T *out) {
    __shared__ compute_t<T> part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const compute_t<T> lse = row_logsumexp(n, in + row * n, part);
        if (threadIdx.x == 0) out[row] = from_compute<T>(lse);
    }
}

template <typename T>
__device__ __forceinline__ void logsumexp_bwd_rows(const size_t rows, const size_t n,
                                                   const T *in, const T *grad_out,
                                                   T *grad_in) {
    __shared__ compute_t<T> part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const T *x = in + row * n;
        const compute_t<T> lse = row_logsumexp(n, x, part);
        const compute_t<T> g = to_compute(grad_out[row]);
        each_streamed(n, [&](size_t j) {
            grad_in[row * n + j] = from_compute<T>(exp_of(to_compute(x[j]) - lse) * g);
        });
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
            const compute_t<T> e = exp_of(to_compute(x[i]) - to_compute(y[row]));           \
            grad_x[i] = from_compute<T>(e * to_compute(grad_y[row]));                       \
        }                                                                                   \
    }

#define LOGSUMEXP_BWD_ROWS(T, SUFFIX)                                                       \
    ROW_KERNEL logsumexp_bwd_rows_##SUFFIX(const size_t rows, const size_t n, const T *x,   \
                                           const T *grad_y, T *grad_x) {                    \
        logsumexp_bwd_rows<T>(rows, n, x, grad_y, grad_x);                                  \
    }

F32_HALVES_T(LOGSUMEXP)
LOGSUMEXP(double, f64)
LOGSUMEXP_BWD_ROWS(__half, f16)
LOGSUMEXP_BWD_ROWS(__nv_bfloat16, bf16)
