// choose: out = cond ? a : b, and its backward (grad_a = cond ? g : 0, grad_b = cond ? 0 : g).
// Choosing moves elements without arithmetic, so the kernels go by element width, not dtype:
// choose_fwd_u32 serves f32 (and any 4-byte dtype), choose_fwd_u8 bool, and so on. A zero
// gradient is all zero bits, which is +0 in every float format.
//   choose_fwd_uN(n, cond, a, b, out)
//   choose_bwd_uN(n, cond, grad_out, grad_a, grad_b)   a null pointer skips that gradient
#include <cstdint>

#include "kernel_macros.cuh"

#define CHOOSE(T, SUFFIX)                                                                  \
    extern "C" __global__ void choose_fwd_##SUFFIX(const size_t n, const bool *cond,        \
                                                   const T *a, const T *b, T *out) {       \
        GRID_STRIDE(i, n) { out[i] = cond[i] ? a[i] : b[i]; }                              \
    }                                                                                      \
    extern "C" __global__ void choose_bwd_##SUFFIX(const size_t n, const bool *cond,        \
                                                   const T *grad_out, T *grad_a,           \
                                                   T *grad_b) {                            \
        GRID_STRIDE(i, n) {                                                                \
            const bool c = cond[i];                                                        \
            const T g = grad_out[i];                                                       \
            if (grad_a) grad_a[i] = c ? g : T(0);                                          \
            if (grad_b) grad_b[i] = c ? T(0) : g;                                          \
        }                                                                                  \
    }

CHOOSE(uint8_t, u8)
CHOOSE(uint16_t, u16)
CHOOSE(uint32_t, u32)
CHOOSE(uint64_t, u64)
