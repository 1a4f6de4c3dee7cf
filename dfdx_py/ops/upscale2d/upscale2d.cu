// upscale2d: x (planes, h_in, w_in) resized up to y (planes, h_out, w_out), per axis:
//   nearest:  output o reads input min(floor(o * scale), n_in - 1), scale = n_in / n_out
//             computed in f32 (as dfdx and PyTorch; the host passes it);
//   bilinear: aligned corners, output o sits at pos = o * scale, scale = (n_in-1)/(n_out-1)
//             in the compute type of T (0 for one output), between i0 = min(floor(pos), n_in-1) and
//             i1 = min(i0+1, n_in-1) with weights 1 - (pos - i0) and pos - i0.
// Forward kernels: one thread per output element. Backward kernels: a gather, one thread
// per input element over the outputs that read it (no atomics). The source index never
// decreases as o grows, so those outputs are one run of o per axis: first_nearest() and
// first_bilinear() find its start by stepping from lower_bound(), which is safe because the
// rounded product o * scale is within 1 of the exact one (for sizes below 2^22).
#include "kernel_macros.cuh"

__device__ __forceinline__ float floor_t(float v) { return floorf(v); }
__device__ __forceinline__ double floor_t(double v) { return floor(v); }

__device__ __forceinline__ size_t nearest_src(size_t o, float scale, size_t n_in) {
    const size_t s = (size_t)floorf((float)o * scale);
    return s < n_in ? s : n_in - 1;
}

template <typename T> struct Taps {
    size_t i0, i1;
    T w0, w1;
};

template <typename T> __device__ __forceinline__ Taps<T> bilinear_taps(size_t o, T scale,
                                                                       size_t n_in) {
    const T pos = (T)o * scale;
    Taps<T> t;
    t.i0 = (size_t)floor_t(pos);
    if (t.i0 > n_in - 1) t.i0 = n_in - 1;
    t.i1 = t.i0 + 1 < n_in ? t.i0 + 1 : n_in - 1;
    t.w1 = pos - (T)t.i0;
    t.w0 = T(1) - t.w1;
    return t;
}

// The weight output o gives input i along one axis (0 when o does not read i).
template <typename T> __device__ __forceinline__ T bilinear_weight(size_t o, size_t i, T scale,
                                                                   size_t n_in) {
    const Taps<T> t = bilinear_taps(o, scale, n_in);
    return (t.i0 == i ? t.w0 : T(0)) + (t.i1 == i ? t.w1 : T(0));
}

// A lower bound on the first output o whose source index (about o * span_in / span_out) is
// >= target.
__device__ __forceinline__ size_t lower_bound(size_t target, size_t span_in, size_t span_out) {
    return target >= 2 && span_in > 0 ? ((target - 2) * span_out) / span_in : 0;
}

// The first output o whose nearest source is >= target (n_out if none).
__device__ __forceinline__ size_t first_nearest(size_t target, float scale, size_t n_in,
                                                size_t n_out) {
    size_t o = lower_bound(target, n_in, n_out);
    while (o < n_out && nearest_src(o, scale, n_in) < target) ++o;
    return o;
}

// The first output o whose bilinear i0 is >= target (n_out if none).
template <typename T> __device__ __forceinline__ size_t first_bilinear(size_t target, T scale,
                                                                       size_t n_in, size_t n_out) {
    size_t o = lower_bound(target, n_in - 1, n_out - 1);
    while (o < n_out && bilinear_taps(o, scale, n_in).i0 < target) ++o;
    return o;
}

#define UPSCALE_PARAMS                                                                     \
    const size_t h_in, const size_t w_in, const size_t h_out, const size_t w_out

// C: the compute type of T (f32 for f16 and bf16)
#define UPSCALE_KERNELS(T, SUFFIX, C)                                                       \
    extern "C" __global__ void upscale2d_nearest_fwd_##SUFFIX(                              \
        const size_t n, UPSCALE_PARAMS, const float scale_h, const float scale_w,           \
        const T *x, T *y) {                                                                 \
        GRID_STRIDE(i, n) {                                                                 \
            const size_t j = i % w_out;                                                     \
            const size_t r = (i / w_out) % h_out;                                           \
            const size_t plane = i / (w_out * h_out);                                       \
            const size_t sr = nearest_src(r, scale_h, h_in);                                \
            const size_t sj = nearest_src(j, scale_w, w_in);                                \
            y[i] = x[(plane * h_in + sr) * w_in + sj];                                      \
        }                                                                                   \
    }                                                                                       \
    extern "C" __global__ void upscale2d_nearest_bwd_##SUFFIX(                              \
        const size_t n, UPSCALE_PARAMS, const float scale_h, const float scale_w,           \
        const T *grad_y, T *grad_x) {                                                       \
        GRID_STRIDE(i, n) {                                                                 \
            const size_t c = i % w_in;                                                      \
            const size_t r = (i / w_in) % h_in;                                             \
            const T *g = grad_y + (i / (w_in * h_in)) * h_out * w_out;                      \
            const size_t j0 = first_nearest(c, scale_w, w_in, w_out);                       \
            C acc = 0;                                                                      \
            for (size_t o = first_nearest(r, scale_h, h_in, h_out);                         \
                 o < h_out && nearest_src(o, scale_h, h_in) == r; ++o) {                    \
                for (size_t j = j0; j < w_out && nearest_src(j, scale_w, w_in) == c; ++j) { \
                    acc += to_compute(g[o * w_out + j]);                                    \
                }                                                                           \
            }                                                                               \
            grad_x[i] = from_compute<T>(acc);                                               \
        }                                                                                   \
    }                                                                                       \
    extern "C" __global__ void upscale2d_bilinear_fwd_##SUFFIX(                             \
        const size_t n, UPSCALE_PARAMS, const C scale_h, const C scale_w, const T *x,       \
        T *y) {                                                                             \
        GRID_STRIDE(i, n) {                                                                 \
            const size_t j = i % w_out;                                                     \
            const size_t r = (i / w_out) % h_out;                                           \
            const T *p = x + (i / (w_out * h_out)) * h_in * w_in;                           \
            const Taps<C> th = bilinear_taps(r, scale_h, h_in);                             \
            const Taps<C> tw = bilinear_taps(j, scale_w, w_in);                             \
            const C left = to_compute(p[th.i0 * w_in + tw.i0]) * th.w0 +                    \
                           to_compute(p[th.i1 * w_in + tw.i0]) * th.w1;                     \
            const C right = to_compute(p[th.i0 * w_in + tw.i1]) * th.w0 +                   \
                            to_compute(p[th.i1 * w_in + tw.i1]) * th.w1;                    \
            y[i] = from_compute<T>(left * tw.w0 + right * tw.w1);                           \
        }                                                                                   \
    }                                                                                       \
    extern "C" __global__ void upscale2d_bilinear_bwd_##SUFFIX(                             \
        const size_t n, UPSCALE_PARAMS, const C scale_h, const C scale_w, const T *grad_y,  \
        T *grad_x) {                                                                        \
        GRID_STRIDE(i, n) {                                                                 \
            const size_t c = i % w_in;                                                      \
            const size_t r = (i / w_in) % h_in;                                             \
            const T *g = grad_y + (i / (w_in * h_in)) * h_out * w_out;                      \
            /* outputs read input r through i0 == r or i1 == r, i.e. i0 in {r - 1, r} */    \
            const size_t j0 = first_bilinear(c > 0 ? c - 1 : 0, scale_w, w_in, w_out);     \
            C acc = 0;                                                                      \
            for (size_t o = first_bilinear(r > 0 ? r - 1 : 0, scale_h, h_in, h_out);       \
                 o < h_out && bilinear_taps(o, scale_h, h_in).i0 <= r; ++o) {               \
                C row = 0;                                                                  \
                for (size_t j = j0; j < w_out && bilinear_taps(j, scale_w, w_in).i0 <= c;   \
                     ++j) {                                                                 \
                    row += to_compute(g[o * w_out + j]) * bilinear_weight(j, c, scale_w, w_in); \
                }                                                                           \
                acc += row * bilinear_weight(o, r, scale_h, h_in);                          \
            }                                                                               \
            grad_x[i] = from_compute<T>(acc);                                               \
        }                                                                                   \
    }

F32_HALVES(UPSCALE_KERNELS, float)
UPSCALE_KERNELS(double, f64, double)
