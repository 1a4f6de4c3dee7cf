// normalize: (x - mean) / sqrt(var + eps) along the rows of a contiguous (rows, n) array,
// with the biased variance; the forward pass also writes inv_std = 1 / sqrt(var + eps) of
// each row for the backward pass.
//
// One fused row kernel each way (one block per row, the row read once when it fits in the
// threads' registers): mean, squared deviations and the scaled output; Σ grad_y * y and
// Σ grad_y, then the gradient.
//   normalize_fwd_SUFFIX(rows, n, eps, x, y, inv_std)
//   normalize_bwd_SUFFIX(rows, n, y, inv_std, grad_y, grad_x):
//       grad_x = (grad_y - y * mean(grad_y * y) - mean(grad_y)) * inv_std
#include "row_moments.cuh"

template <typename T>
__device__ __forceinline__ void normalize_fwd(const size_t rows, const size_t n, const T eps,
                                              const T *in, T *out, T *inv_std) {
    __shared__ T part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const T *x = in + row * n;
        T *y = out + row * n;
        T v[CACHE];
        load_row(n, x, v);
        const T mean = row_mean(n, x, v, part);
        const T var = row_squared_deviations(n, x, v, mean, part) / T(n);
        const T inv = T(1) / sqrt_of(var + eps);
        if (fits_cache(n)) {
            each_cached(n, [&](int k, size_t j) { y[j] = (v[k] - mean) * inv; });
        } else {
            each_streamed(n, [&](size_t j) { y[j] = (x[j] - mean) * inv; });
        }
        if (threadIdx.x == 0) inv_std[row] = inv;
    }
}

template <typename T>
__device__ __forceinline__ void normalize_bwd(const size_t rows, const size_t n, const T *out,
                                              const T *inv_std, const T *grad_out, T *grad_in) {
    __shared__ T part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const T *y = out + row * n;
        const T *g = grad_out + row * n;
        T *gx = grad_in + row * n;
        T gy = 0, sg = 0;
        if (fits_cache(n)) {
            T vy[CACHE], vg[CACHE];
            each_cached(n, [&](int k, size_t j) {
                vy[k] = y[j];
                vg[k] = g[j];
                gy += vg[k] * vy[k];
                sg += vg[k];
            });
            const T mean_gy = block_reduce(gy, part, Sum<T>()) / T(n);
            const T mean_g = block_reduce(sg, part, Sum<T>()) / T(n);
            const T inv = inv_std[row];
            each_cached(n, [&](int k, size_t j) {
                gx[j] = ((vg[k] - vy[k] * mean_gy) - mean_g) * inv;
            });
        } else {
            each_streamed(n, [&](size_t j) {
                gy += g[j] * y[j];
                sg += g[j];
            });
            const T mean_gy = block_reduce(gy, part, Sum<T>()) / T(n);
            const T mean_g = block_reduce(sg, part, Sum<T>()) / T(n);
            const T inv = inv_std[row];
            each_streamed(n, [&](size_t j) { gx[j] = ((g[j] - y[j] * mean_gy) - mean_g) * inv; });
        }
    }
}

#define NORMALIZE(T, SUFFIX)                                                                \
    ROW_KERNEL normalize_fwd_##SUFFIX(const size_t rows, const size_t n, const T eps,       \
                                      const T *x, T *y, T *inv_std) {                       \
        normalize_fwd<T>(rows, n, eps, x, y, inv_std);                                      \
    }                                                                                       \
    ROW_KERNEL normalize_bwd_##SUFFIX(const size_t rows, const size_t n, const T *y,        \
                                      const T *inv_std, const T *grad_y, T *grad_x) {       \
        normalize_bwd<T>(rows, n, y, inv_std, grad_y, grad_x);                              \
    }

NORMALIZE(float, f32)
NORMALIZE(double, f64)
