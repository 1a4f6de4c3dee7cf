// strided: copy between a contiguous array and a strided view of another, up to 6 dims.
//
// out has dims d0..d5 (padded with 1s in front); element i of out, written as the index
// (i0..i5) in those dims, is in[offset + sum_k i_k * s_k]. A stride of 0 broadcasts, a
// permuted set of strides permutes, an offset and larger strides slice.
//   strided_copy:    out[i] = in[src(i)]        (gather: permute, broadcast, slice forward)
//   strided_scatter: out[src(i)] = in[i]        (slice backward; targets never overlap)
//
// The caller (layout.py) merges dims that are contiguous in both arrays and drops dims of
// 1, so the index arithmetic runs over as few dims as the view needs; it uses 32-bit
// integers when every index fits (64-bit division costs several times more), and the
// _v16 kernels move 16 bytes per element where rows of the view are whole, aligned vectors.
#include "kernel_macros.cuh"

template <typename I, typename T, bool SCATTER>
__device__ __forceinline__ void strided_loop(const size_t n, const size_t *dims,
                                             const size_t *strides, const size_t offset,
                                             const T *in, T *out) {
    I d[6], s[6];
#pragma unroll
    for (int k = 0; k < 6; k++) {
        d[k] = (I)dims[k];
        s[k] = (I)strides[k];
    }
    int first = 0;  // the leading dims of 1 (padding) are skipped
    while (first < 5 && d[first] == 1) first++;
    const I stride = (I)blockDim.x * gridDim.x;
    for (I i = blockIdx.x * (I)blockDim.x + threadIdx.x; i < (I)n; i += stride) {
        I rem = i, src = (I)offset;
#pragma unroll
        for (int k = 5; k >= 0; k--) {
            if (k > first) {
                src += (rem % d[k]) * s[k];
                rem /= d[k];
            } else if (k == first) {
                src += rem * s[k];
            }
        }
        if (SCATTER) out[src] = in[i];
        else out[i] = in[src];
    }
}

// Whether every index of the loop (element counts, source offsets) and its grid stride fit
// in 31 bits. Strides may be negative (wrapped to size_t; 32-bit arithmetic wraps alike).
__device__ __forceinline__ bool small_indices(const size_t n, const size_t *dims,
                                              const size_t *strides, const size_t offset) {
    long long lo = (long long)offset, hi = (long long)offset;
    for (int k = 0; k < 6; k++) {
        const long long span = (long long)(dims[k] - 1) * (long long)strides[k];
        if (span < 0) lo += span;
        else hi += span;
    }
    const long long limit = (1LL << 31) - (long long)blockDim.x * gridDim.x;
    return (long long)n < limit && lo >= 0 && hi < limit;
}

template <typename T, bool SCATTER>
__device__ __forceinline__ void strided(const size_t n, const size_t *dims,
                                        const size_t *strides, const size_t offset,
                                        const T *in, T *out) {
    if (small_indices(n, dims, strides, offset))
        strided_loop<unsigned, T, SCATTER>(n, dims, strides, offset, in, out);
    else
        strided_loop<size_t, T, SCATTER>(n, dims, strides, offset, in, out);
}

#define STRIDED(T, SUFFIX)                                                               \
    extern "C" __global__ void strided_copy_##SUFFIX(                                    \
        const size_t n, const size_t d0, const size_t d1, const size_t d2, const size_t d3, \
        const size_t d4, const size_t d5, const size_t s0, const size_t s1,              \
        const size_t s2, const size_t s3, const size_t s4, const size_t s5,              \
        const size_t offset, const T *in, T *out) {                                      \
        const size_t dims[6] = {d0, d1, d2, d3, d4, d5};                                 \
        const size_t strides[6] = {s0, s1, s2, s3, s4, s5};                              \
        strided<T, false>(n, dims, strides, offset, in, out);                            \
    }                                                                                    \
    extern "C" __global__ void strided_scatter_##SUFFIX(                                 \
        const size_t n, const size_t d0, const size_t d1, const size_t d2, const size_t d3, \
        const size_t d4, const size_t d5, const size_t s0, const size_t s1,              \
        const size_t s2, const size_t s3, const size_t s4, const size_t s5,              \
        const size_t offset, const T *in, T *out) {                                      \
        const size_t dims[6] = {d0, d1, d2, d3, d4, d5};                                 \
        const size_t strides[6] = {s0, s1, s2, s3, s4, s5};                              \
        strided<T, true>(n, dims, strides, offset, in, out);                             \
    }

typedef Lanes<float> Vector16;  // 16 bytes of any dtype, moved in one access

F32_HALVES_T(STRIDED)
STRIDED(double, f64)
STRIDED(long long, i64)
STRIDED(bool, bool)
STRIDED(Vector16, v16)
