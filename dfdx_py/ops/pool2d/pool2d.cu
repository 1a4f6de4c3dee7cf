// pool2d: avg, max or min over (kh, kw) windows moved by (sh, sw) over x (planes, h_in, w_in)
// padded by (ph, pw), giving y (planes, h_out, w_out). Coordinates are in the padded input
// (non-negative, so size_t): row y + ph = oh*sh + ki.
//   pool2d_fwd_KIND: one thread per output element reduces its window. avg divides the sum
//     by kh*kw (padded zeros count); max / min skip the padding (dfdx's -inf / +inf) and
//     propagate NaN (numpy's maximum / minimum).
//   pool2d_bwd_KIND: a gather, one thread per input element over the windows containing it
//     (no atomics). avg: the sum of grad_y / (kh*kw); max / min: the sum of grad_y over the
//     windows whose result equals the element (dfdx's rule: ties all get the gradient).
#include "kernel_macros.cuh"

#define POOL_PARAMS                                                                        \
    const size_t h_in, const size_t w_in, const size_t kh, const size_t kw, const size_t sh, \
        const size_t sw, const size_t ph, const size_t pw, const size_t h_out,             \
        const size_t w_out

enum PoolKind { AVG, MAX, MIN };

template <typename T, PoolKind KIND>
__device__ __forceinline__ void pool_fwd(const size_t n, POOL_PARAMS, const T *x, T *y) {
    GRID_STRIDE(i, n) {
        const size_t ow = i % w_out;
        const size_t oh = (i / w_out) % h_out;
        const T *plane = x + (i / (w_out * h_out)) * h_in * w_in;
        typedef compute_t<T> C;  // f32 for f16 and bf16
        C acc = KIND == AVG ? C(0) : KIND == MAX ? C(-INFINITY) : C(INFINITY);
        for (size_t ki = 0; ki < kh; ++ki) {
            const size_t yp = oh * sh + ki;
            if (yp < ph || yp - ph >= h_in) continue;
            for (size_t kj = 0; kj < kw; ++kj) {
                const size_t xp = ow * sw + kj;
                if (xp < pw || xp - pw >= w_in) continue;
                const C v = to_compute(plane[(yp - ph) * w_in + (xp - pw)]);
                if (KIND == AVG) {
                    acc += v;
                } else if (v != v || (KIND == MAX ? v > acc : v < acc)) {
                    acc = v;  // a NaN stays: no comparison with it is true
                }
            }
        }
        y[i] = from_compute<T>(KIND == AVG ? acc / C(kh * kw) : acc);
    }
}

template <typename T, PoolKind KIND>
__device__ __forceinline__ void pool_bwd(const size_t n, POOL_PARAMS, const T *x, const T *y,
                                         const T *grad_y, T *grad_x) {
    GRID_STRIDE(i, n) {
        const size_t xp = i % w_in + pw;
        const size_t yp = (i / w_in) % h_in + ph;
        const size_t first = (i / (w_in * h_in)) * h_out * w_out;  // the plane's outputs
        typedef compute_t<T> C;  // f32 for f16 and bf16
        const C v = to_compute(x[i]);
        C acc = 0;
        for (size_t ki = 0; ki < kh && ki <= yp; ++ki) {
            const size_t oh = (yp - ki) / sh;
            if ((yp - ki) % sh != 0 || oh >= h_out) continue;
            for (size_t kj = 0; kj < kw && kj <= xp; ++kj) {
                const size_t ow = (xp - kj) / sw;
                if ((xp - kj) % sw != 0 || ow >= w_out) continue;
                const size_t o = first + oh * w_out + ow;
                if (KIND == AVG) {
                    acc += to_compute(grad_y[o]) / C(kh * kw);
                } else if (to_compute(y[o]) == v) {
                    acc += to_compute(grad_y[o]);
                }
            }
        }
        grad_x[i] = from_compute<T>(acc);
    }
}

#define POOL_KERNELS(T, SUFFIX, NAME, KIND)                                                \
    extern "C" __global__ void pool2d_fwd_##NAME##_##SUFFIX(const size_t n, POOL_PARAMS,    \
                                                            const T *x, T *y) {             \
        pool_fwd<T, KIND>(n, h_in, w_in, kh, kw, sh, sw, ph, pw, h_out, w_out, x, y);        \
    }                                                                                      \
    extern "C" __global__ void pool2d_bwd_##NAME##_##SUFFIX(                                \
        const size_t n, POOL_PARAMS, const T *x, const T *y, const T *grad_y, T *grad_x) {  \
        pool_bwd<T, KIND>(n, h_in, w_in, kh, kw, sh, sw, ph, pw, h_out, w_out, x, y, grad_y, \
                          grad_x);                                                         \
    }

F32_HALVES(POOL_KERNELS, avg, AVG)
F32_HALVES(POOL_KERNELS, max, MAX)
F32_HALVES(POOL_KERNELS, min, MIN)
POOL_KERNELS(double, f64, avg, AVG)
POOL_KERNELS(double, f64, max, MAX)
POOL_KERNELS(double, f64, min, MIN)
