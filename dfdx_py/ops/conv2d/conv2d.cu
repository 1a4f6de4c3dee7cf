// conv2d's im2col and col2im, shared by conv1d and conv_transpose2d (the GEMMs are cuBLAS).
//
// An image (batch, chan, h_in, w_in), a window (kh, kw) moved by (sh, sw) over the image
// padded by (ph, pw), its taps spaced by (dh, dw), and the output positions (h_out, w_out):
//   im2col: cols[c, ki, kj, b, oh, ow] = image[b, c, oh*sh + ki*dh - ph, ow*sw + kj*dw - pw]
//           (0 in the padding); one thread per column element.
//   col2im: its adjoint, image[b, c, y, x] = the sum of the cols elements that read it. A
//           gather: one thread per image element walks the (ki, kj) taps whose window
//           position (oh, ow) is a whole output position in range, so no two threads write
//           one element (no atomics) and the sum's order is fixed. cols (a GEMM's output)
//           is in the compute type: f32 for f16 and bf16, whose sums are rounded once.
// Coordinates are in the padded image (non-negative, so size_t): y + ph = oh*sh + ki*dh.
#include "kernel_macros.cuh"

#define CONV_PARAMS                                                                        \
    const size_t batch, const size_t chan, const size_t h_in, const size_t w_in,           \
        const size_t kh, const size_t kw, const size_t sh, const size_t sw, const size_t ph, \
        const size_t pw, const size_t dh, const size_t dw, const size_t h_out,             \
        const size_t w_out

template <typename T>
__device__ __forceinline__ void im2col(const size_t n, CONV_PARAMS, const T *image, T *cols) {
    GRID_STRIDE(i, n) {
        size_t r = i;
        const size_t ow = r % w_out;
        r /= w_out;
        const size_t oh = r % h_out;
        r /= h_out;
        const size_t b = r % batch;
        r /= batch;
        const size_t kj = r % kw;
        r /= kw;
        const size_t ki = r % kh;
        const size_t c = r / kh;
        const size_t yp = oh * sh + ki * dh;  // in the padded image
        const size_t xp = ow * sw + kj * dw;
        T v = from_compute<T>(0);
        if (yp >= ph && yp - ph < h_in && xp >= pw && xp - pw < w_in) {
            v = image[((b * chan + c) * h_in + (yp - ph)) * w_in + (xp - pw)];
        }
        cols[i] = v;
    }
}

template <typename T>
__device__ __forceinline__ void col2im(const size_t n, CONV_PARAMS, const compute_t<T> *cols,
                                       T *image) {
    const size_t per_tap = batch * h_out * w_out;  // cols elements of one (c, ki, kj)
    GRID_STRIDE(i, n) {
        size_t r = i;
        const size_t xp = r % w_in + pw;  // in the padded image
        r /= w_in;
        const size_t yp = r % h_in + ph;
        r /= h_in;
        const size_t c = r % chan;
        const size_t b = r / chan;
        compute_t<T> acc = 0;  // f32 for f16 and bf16
        for (size_t ki = 0; ki < kh && ki * dh <= yp; ++ki) {
            const size_t ty = yp - ki * dh;
            const size_t oh = ty / sh;
            if (ty % sh != 0 || oh >= h_out) continue;
            for (size_t kj = 0; kj < kw && kj * dw <= xp; ++kj) {
                const size_t tx = xp - kj * dw;
                const size_t ow = tx / sw;
                if (tx % sw != 0 || ow >= w_out) continue;
                const size_t tap = (c * kh + ki) * kw + kj;
                acc += cols[tap * per_tap + (b * h_out + oh) * w_out + ow];
            }
        }
        image[i] = from_compute<T>(acc);
    }
}

#define CONV_KERNELS(T, SUFFIX)                                                             \
    extern "C" __global__ void im2col_##SUFFIX(const size_t n, CONV_PARAMS, const T *image, \
                                               T *cols) {                                  \
        im2col<T>(n, batch, chan, h_in, w_in, kh, kw, sh, sw, ph, pw, dh, dw, h_out, w_out,  \
                  image, cols);                                                            \
    }                                                                                      \
    extern "C" __global__ void col2im_##SUFFIX(const size_t n, CONV_PARAMS,                \
                                               const compute_t<T> *cols, T *image) {       \
        col2im<T>(n, batch, chan, h_in, w_in, kh, kw, sh, sw, ph, pw, dh, dw, h_out, w_out,  \
                  cols, image);                                                            \
    }

F32_HALVES_T(CONV_KERNELS)
CONV_KERNELS(double, f64)
