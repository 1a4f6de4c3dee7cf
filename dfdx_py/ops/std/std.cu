// std: sqrt(Σ (x - mean)² / n + eps) over each row of a contiguous (rows, n) array.
//
// var's fused two-pass row kernel (one block per row: the mean, then the squared deviations,
// the row read once when it fits in the threads' registers), ending in the square root; in
// compute_t<T> (f32 for f16 and bf16, whose eps comes in f32).
//   std_fwd_SUFFIX(rows, n, eps, x, y)
//   std_bwd_SUFFIX(rows, n, x, y, grad_y, grad_x):
//       grad_x = (x - mean) * grad_y / (n * y), and 0 where y is 0 (as torch.std)
#include "row_moments.cuh"

template <typename T>
__device__ __forceinline__ void std_fwd(const size_t rows, const size_t n,
                                        const compute_t<T> eps, const T *in, T *out) {
    typedef compute_t<T> C;
    __shared__ C part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const T *x = in + row * n;
        C v[CACHE];
        load_row(n, x, v);
        const C mean = row_mean(n, x, v, part);
        const C var = row_squared_deviations(n, x, v, mean, part) / C(n);
        if (threadIdx.x == 0) out[row] = from_compute<T>(sqrt_of(var + eps));
    }
}

template <typename T>
__device__ __forceinline__ void std_bwd(const size_t rows, const size_t n, const T *in,
                                        const T *out, const T *grad_out, T *grad_in) {
    typedef compute_t<T> C;
    __shared__ C part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const T *x = in + row * n;
        T *gx = grad_in + row * n;
        C v[CACHE];
        load_row(n, x, v);
        const C mean = row_mean(n, x, v, part);
        const C s = to_compute(out[row]) * C(n);
        const C scale = s != C(0) ? to_compute(grad_out[row]) / s : C(0);
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

#define STD(T, SUFFIX)                                                                      \
    ROW_KERNEL std_fwd_##SUFFIX(const size_t rows, const size_t n, const compute_t<T> eps,  \
                                const T *x, T *y) {                                         \
        std_fwd<T>(rows, n, eps, x, y);                                                     \
    }                                                                                       \
    ROW_KERNEL std_bwd_##SUFFIX(const size_t rows, const size_t n, const T *x, const T *y,  \
                                const T *grad_y, T *grad_x) {                               \
        std_bwd<T>(rows, n, x, y, grad_y, grad_x);                                          \
    }

F32_HALVES_T(STD)
STD(double, f64)
