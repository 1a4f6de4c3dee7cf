// strided: copy between a contiguous array and a strided view of another, up to 6 dims.
//
// out has dims d0..d5 (padded with 1s in front); element i of out, written as the index
// (i0..i5) in those dims, is in[offset + sum_k i_k * s_k]. A stride of 0 broadcasts, a
// permuted set of strides permutes, an offset and larger strides slice.
//   strided_copy:    out[i] = in[src(i)]        (gather: permute, broadcast, slice forward)
//   strided_scatter: out[src(i)] = in[i]        (slice backward; targets never overlap)
#include "kernel_macros.cuh"

#define SRC_INDEX                                                                        \
    size_t rem = i, src = offset;                                                        \
    src += (rem % d5) * s5; rem /= d5;                                                   \
    src += (rem % d4) * s4; rem /= d4;                                                   \
    src += (rem % d3) * s3; rem /= d3;                                                   \
    src += (rem % d2) * s2; rem /= d2;                                                   \
    src += (rem % d1) * s1; rem /= d1;                                                   \
    src += rem * s0;

#define STRIDED(T, SUFFIX)                                                               \
    extern "C" __global__ void strided_copy_##SUFFIX(                                    \
        const size_t n, const size_t d0, const size_t d1, const size_t d2, const size_t d3, \
        const size_t d4, const size_t d5, const size_t s0, const size_t s1,              \
        const size_t s2, const size_t s3, const size_t s4, const size_t s5,              \
        const size_t offset, const T *in, T *out) {                                      \
        GRID_STRIDE(i, n) {                                                              \
            SRC_INDEX                                                                    \
            out[i] = in[src];                                                            \
        }                                                                                \
    }                                                                                    \
    extern "C" __global__ void strided_scatter_##SUFFIX(                                 \
        const size_t n, const size_t d0, const size_t d1, const size_t d2, const size_t d3, \
        const size_t d4, const size_t d5, const size_t s0, const size_t s1,              \
        const size_t s2, const size_t s3, const size_t s4, const size_t s5,              \
        const size_t offset, const T *in, T *out) {                                      \
        GRID_STRIDE(i, n) {                                                              \
            SRC_INDEX                                                                    \
            out[src] = in[i];                                                            \
        }                                                                                \
    }

F32_HALVES_T(STRIDED)
STRIDED(double, f64)
STRIDED(long long, i64)
STRIDED(bool, bool)
