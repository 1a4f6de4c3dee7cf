// normalize: (x - mean) / sqrt(var + eps) along the rows of a contiguous (rows, n) array,
// with the biased variance; the forward pass also writes the mean and inv_std =
// 1 / sqrt(var + eps) of each row for the backward pass, which recomputes y from x with them
// rather than read the stored y: for f16 and bf16 the rounded y would swamp the gradient, a
// small difference of large terms when rows are short (the Cpu does the same). Computed in
// C = compute_t<T> (f32 for f16 and bf16, whose eps comes in f32), the statistics kept in C.
//
// One fused row kernel each way (one block per row, the row read once when it fits in the
// threads' registers): mean, squared deviations and the scaled output; Σ grad_y * y and
// Σ grad_y, then the gradient.
//   normalize_fwd_SUFFIX(rows, n, eps, x, y, mean, inv_std)
//   normalize_bwd_SUFFIX(rows, n, x, mean, inv_std, grad_y, grad_x):
//       grad_x = (grad_y - y * mean(grad_y * y) - mean(grad_y)) * inv_std
#include "row_moments.cuh"

template <typename T>
__device__ __forceinline__ void normalize_fwd(const size_t rows, const size_t n,
                                              const compute_t<T> eps, const T *in, T *out,
                                              compute_t<T> *means, compute_t<T> *inv_std) {
    typedef compute_t<T> C;
    __shared__ C part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const T *x = in + row * n;
        T *y = out + row * n;
        C v[CACHE];
        load_row(n, x, v);
        const C mean = row_mean(n, x, v, part);
        const C var = row_squared_deviations(n, x, v, mean, part) / C(n);
        const C inv = C(1) / sqrt_of(var + eps);
        if (fits_cache(n)) {
            each_cached(n, [&](int k, size_t j) { y[j] = from_compute<T>((v[k] - mean) * inv); });
        } else {
            each_streamed(n, [&](size_t j) {
                y[j] = from_compute<T>((to_compute(x[j]) - mean) * inv);
            });
        }
        if (threadIdx.x == 0) {
            means[row] = mean;
            inv_std[row] = inv;
        }
    }
}

template <typename T>
__device__ __forceinline__ void normalize_bwd(const size_t rows, const size_t n, const T *in,
                                              const compute_t<T> *means,
                                              const compute_t<T> *inv_std, const T *grad_out,
                                              T *grad_in) {
    typedef compute_t<T> C;
    __shared__ C part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const T *x = in + row * n;
        const T *g = grad_out + row * n;
        T *gx = grad_in + row * n;
        const C mean = means[row], inv = inv_std[row];
        C gy = 0, sg = 0;
        if (fits_cache(n)) {
            C vy[CACHE], vg[CACHE];
            each_cached(n, [&](int k, size_t j) {
                vy[k] = (to_compute(x[j]) - mean) * inv;
                vg[k] = to_compute(g[j]);
                gy += vg[k] * vy[k];
                sg += vg[k];
            });
            const C mean_gy = block_reduce(gy, part, Sum<C>()) / C(n);
            const C mean_g = block_reduce(sg, part, Sum<C>()) / C(n);
            each_cached(n, [&](int k, size_t j) {
                gx[j] = from_compute<T>(((vg[k] - vy[k] * mean_gy) - mean_g) * inv);
            });
        } else {
            each_streamed(n, [&](size_t j) {
                gy += to_compute(g[j]) * ((to_compute(x[j]) - mean) * inv);
                sg += to_compute(g[j]);
            });
            const C mean_gy = block_reduce(gy, part, Sum<C>()) / C(n);
            const C mean_g = block_reduce(sg, part, Sum<C>()) / C(n);
            each_streamed(n, [&](size_t j) {
                const C y = (to_compute(x[j]) - mean) * inv;
                gx[j] = from_compute<T>(((to_compute(g[j]) - y * mean_gy) - mean_g) * inv);
            });
        }
    }
}

#define NORMALIZE(T, SUFFIX)                                                                \
    ROW_KERNEL normalize_fwd_##SUFFIX(const size_t rows, const size_t n,                    \
                                      const compute_t<T> eps, const T *x, T *y,             \
                                      compute_t<T> *mean, compute_t<T> *inv_std) {          \
        normalize_fwd<T>(rows, n, eps, x, y, mean, inv_std);                                \
    }                                                                                       \
    ROW_KERNEL normalize_bwd_##SUFFIX(const size_t rows, const size_t n, const T *x,        \
                                      const compute_t<T> *mean,                             \
                                      const compute_t<T> *inv_std, const T *grad_y,         \
                                      T *grad_x) {                                          \
        normalize_bwd<T>(rows, n, x, mean, inv_std, grad_y, grad_x);                        \
    }

F32_HALVES_T(NORMALIZE)
NORMALIZE(double, f64)
