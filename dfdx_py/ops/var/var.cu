// var: the biased variance Σ (x - mean)² / n of each row of a contiguous (rows, n) array.
//
// One fused row kernel (one block per row) for each pass: the mean first, then the squared
// deviations from it (two passes, so a large offset does not cancel the result), the row
// read once when it fits in the threads' registers; in compute_t<T> (f32 for f16 and bf16).
// An empty row gives NaN.
//   var_fwd_SUFFIX(rows, n, x, y)
//   var_bwd_SUFFIX(rows, n, x, grad_y, grad_x):  grad_x = (x - mean) * (grad_y * 2 / n)
#include "row_moments.cuh"

template <typename T>
__device__ __forceinline__ void var_fwd(const size_t rows, const size_t n, const T *in, T *out) {
    typedef compute_t<T> C;
    __shared__ C part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const T *x = in + row * n;
        C v[CACHE];
        load_row(n, x, v);
        const C mean = row_mean(n, x, v, part);
        const C var = row_squared_deviations(n, x, v, mean, part) / C(n);
        if (threadIdx.x == 0) out[row] = from_compute<T>(var);
    }
}

template <typename T>
__device__ __forceinline__ void var_bwd(const size_t rows, const size_t n, const T *in,
                                        const T *grad_out, T *grad_in) {
    typedef compute_t<T> C;
    __shared__ C part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const T *x = in + row * n;
        T *gx = grad_in + row * n;
        C v[CACHE];
        load_row(n, x, v);
        const C mean = row_mean(n, x, v, part);
        const C scale = to_compute(grad_out[row]) * (C(2) / C(n));
        if (fits_cache(n)) {
            each_cached(n, [&](int k, size_t j) {
                gx[j] = from_compute<T>((v[k] - mean) * scale);
            });
        } else {
            each_streamed(n, [&](size_t j) {
                gx[j] = from_compute<T>((to_compute(x[j]) - mean) * scale);
            });
        }
    }
}

#define VAR(T, SUFFIX)                                                                      \
    ROW_KERNEL var_fwd_##SUFFIX(const size_t rows, const size_t n, const T *x, T *y) {      \
        var_fwd<T>(rows, n, x, y);                                                          \
    }                                                                                       \
    ROW_KERNEL var_bwd_##SUFFIX(const size_t rows, const size_t n, const T *x,              \
                                const T *grad_y, T *grad_x) {                               \
        var_bwd<T>(rows, n, x, grad_y, grad_x);                                             \
    }

F32_HALVES_T(VAR)
VAR(double, f64)
