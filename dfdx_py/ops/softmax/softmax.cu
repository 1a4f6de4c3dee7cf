// softmax: e^(x - max) / Σ e^(x - max) along the rows of a contiguous (rows, n) array.
//
// One block per row (a grid stride over the rows), of any size up to MAX_THREADS. Each
// thread keeps up to CACHE elements of its row in registers, so a row of up to
// CACHE * blockDim.x elements is read once; a longer row is read again for each pass. The
// threads' partial results meet in a tree in shared memory. Everything is computed in
// compute_t<T> (f32 for f16 and bf16), rounded once when stored.
//   softmax_fwd_SUFFIX(rows, n, x, y)
//   softmax_bwd_SUFFIX(rows, n, y, grad_y, grad_x):  grad_x = y * (grad_y - Σ grad_y * y)
#include "row_kernels.cuh"

template <typename T>
__device__ __forceinline__ void softmax_fwd(const size_t rows, const size_t n, const T *in,
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
            each_cached(n, [&](int k, size_t) { v[k] = exp_of(v[k] - m); s += v[k]; });
            const C inv = C(1) / block_reduce(s, part, Sum<C>());
            each_cached(n, [&](int k, size_t j) { y[j] = from_compute<T>(v[k] * inv); });
        } else {
            each_streamed(n, [&](size_t j) { m = max_of(m, to_compute(x[j])); });
            m = block_reduce(m, part, Max<C>());
            each_streamed(n, [&](size_t j) { s += exp_of(to_compute(x[j]) - m); });
            const C inv = C(1) / block_reduce(s, part, Sum<C>());
            each_streamed(n, [&](size_t j) {
                y[j] = from_compute<T>(exp_of(to_compute(x[j]) - m) * inv);
            });
        }
    }
}

template <typename T>
__device__ __forceinline__ void softmax_bwd(const size_t rows, const size_t n, const T *out,
                                            const T *grad_out, T *grad_in) {
    typedef compute_t<T> C;
    __shared__ C part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const T *y = out + row * n;
        const T *g = grad_out + row * n;
        T *gx = grad_in + row * n;
        C s = 0;
        if (fits_cache(n)) {
            C vy[CACHE], vg[CACHE];
            each_cached(n, [&](int k, size_t j) {
                vy[k] = to_compute(y[j]);
                vg[k] = to_compute(g[j]);
                s += vg[k] * vy[k];
            });
            s = block_reduce(s, part, Sum<C>());
            each_cached(n, [&](int k, size_t j) { gx[j] = from_compute<T>((vg[k] - s) * vy[k]); });
        } else {
            each_streamed(n, [&](size_t j) { s += to_compute(g[j]) * to_compute(y[j]); });
            s = block_reduce(s, part, Sum<C>());
            each_streamed(n, [&](size_t j) {
                gx[j] = from_compute<T>((to_compute(g[j]) - s) * to_compute(y[j]));
            });
        }
    }
}

#define SOFTMAX(T, SUFFIX)                                                                  \
    ROW_KERNEL softmax_fwd_##SUFFIX(const size_t rows, const size_t n, const T *x, T *y) {  \
        softmax_fwd<T>(rows, n, x, y);                                                      \
    }                                                                                       \
    ROW_KERNEL softmax_bwd_##SUFFIX(const size_t rows, const size_t n, const T *y,          \
                                    const T *grad_y, T *grad_x) {                           \
        softmax_bwd<T>(rows, n, y, grad_y, grad_x);                                         \
    }

F32_HALVES_T(SOFTMAX)
SOFTMAX(double, f64)
