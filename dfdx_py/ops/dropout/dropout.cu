// dropout: out = mask ? x * scale : 0, scale = 1 / (1 - p). The mask (bool, true = kept) is
// drawn on the host from the device's seeded generator, so one seed drops the same elements
// on every device. The backward pass is the same kernel applied to the gradient.
//   dropout_SUFFIX(n, scale, mask, inp, out)
#include "kernel_macros.cuh"

#define DROPOUT(T, SUFFIX)                                                                 \
    extern "C" __global__ void dropout_##SUFFIX(const size_t n, const compute_t<T> scale,  \
                                                const bool *mask, const T *inp, T *out) {  \
        GRID_STRIDE(i, n) {                                                                \
            out[i] = from_compute<T>(mask[i] ? to_compute(inp[i]) * scale : 0);            \
        }                                                                                  \
    }

F32_HALVES_T(DROPOUT)
DROPOUT(double, f64)
