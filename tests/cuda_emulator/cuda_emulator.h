// Host shim that lets dfdx_py's .cu files compile with g++ and run on the CPU, one thread
// per block and one block at a time: enough to test a kernel's indexing and arithmetic on
// a machine without a GPU (tests/cuda_emulator). Kernels must be correct for any blockDim
// and gridDim, and use no warp-level intrinsics.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <algorithm>

struct dfdx_emu_dim3 { unsigned x, y, z; };
extern "C" {
dfdx_emu_dim3 threadIdx = {0, 0, 0};
dfdx_emu_dim3 blockIdx = {0, 0, 0};
dfdx_emu_dim3 blockDim = {1, 1, 1};
dfdx_emu_dim3 gridDim = {1, 1, 1};
void dfdx_emu_set_block(unsigned block, unsigned grid) {
    blockIdx.x = block;
    gridDim.x = grid;
}
}

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__
#define __shared__ static
#define __syncthreads() ((void)0)
#define __launch_bounds__(...)

// A warp of one thread: every lane is this thread (kernels shuffle only in blocks of at
// least 32 threads, which the emulator never runs).
template <typename T> inline T __shfl_xor_sync(unsigned, T v, int) { return v; }

using std::isnan;
using std::isinf;

// The half types of cuda_fp16.h and cuda_bf16.h as kernels use them (kernel_macros.cuh
// turns off their implicit conversions and operators): 16-bit patterns, and the functions
// converting them to and from float, rounding to nearest even as the GPU does (a NaN
// becomes the canonical NaN 0x7fff).
struct __half { unsigned short __x; };
struct __nv_bfloat16 { unsigned short __x; };

inline unsigned dfdx_emu_bits(float x) {
    unsigned u;
    std::memcpy(&u, &x, sizeof u);
    return u;
}
inline float dfdx_emu_float(unsigned u) {
    float x;
    std::memcpy(&x, &u, sizeof x);
    return x;
}

inline float __half2float(const __half h) {
    const unsigned sign = (h.__x & 0x8000u) << 16;
    const unsigned e = (h.__x >> 10) & 0x1fu;
    const unsigned m = h.__x & 0x3ffu;
    if (e == 0x1fu) return dfdx_emu_float(sign | 0x7f800000u | (m << 13));  // inf, NaN
    if (e == 0) {  // zero or subnormal: m 2^-24, exact in float
        const float v = (float)m * 0x1p-24f;
        return sign ? -v : v;
    }
    return dfdx_emu_float(sign | ((e + 112u) << 23) | (m << 13));
}

inline __half __float2half_rn(const float x) {
    const unsigned u = dfdx_emu_bits(x);
    const unsigned short sign = (unsigned short)((u >> 16) & 0x8000u);
    const unsigned a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return {0x7fff};  // NaN
    if (a >= 0x477ff000u) return {(unsigned short)(sign | 0x7c00u)};  // inf, or rounds to it
    // |x| in units of 2^-24 (the f16 subnormal step) below 2^-14, else of its own ulp
    const int e = (int)(a >> 23) - 127;
    const unsigned sig = (a & 0x7fffffu) | 0x800000u;
    const int shift = 13 + (e < -14 ? -14 - e : 0);
    if (shift > 24) return {sign};  // below half the smallest subnormal
    unsigned q = sig >> shift;
    const unsigned rem = sig & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (q & 1u))) ++q;  // to nearest, ties to even
    const unsigned bits = e < -14 ? q : ((unsigned)(e + 14) << 10) + q;  // q may carry up
    return {(unsigned short)(sign | bits)};
}
inline __half __float2half(const float x) { return __float2half_rn(x); }

inline float __bfloat162float(const __nv_bfloat16 h) { return dfdx_emu_float((unsigned)h.__x << 16); }

inline __nv_bfloat16 __float2bfloat16_rn(const float x) {
    const unsigned u = dfdx_emu_bits(x);
    if ((u & 0x7fffffffu) > 0x7f800000u) return {0x7fff};  // NaN
    return {(unsigned short)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16)};  // ties to even
}
inline __nv_bfloat16 __float2bfloat16(const float x) { return __float2bfloat16_rn(x); }

template <typename T> inline T atomicAdd(T *address, T value) {
    T old = *address;
    *address = old + value;
    return old;
}
inline __half atomicAdd(__half *address, __half value) {
    const __half old = *address;
    *address = __float2half_rn(__half2float(old) + __half2float(value));
    return old;
}
inline __nv_bfloat16 atomicAdd(__nv_bfloat16 *address, __nv_bfloat16 value) {
    const __nv_bfloat16 old = *address;
    *address = __float2bfloat16_rn(__bfloat162float(old) + __bfloat162float(value));
    return old;
}
inline float __expf(float x) { return std::exp(x); }
inline float __logf(float x) { return std::log(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
template <typename T> inline T min(T a, T b) { return a < b ? a : b; }
template <typename T> inline T max(T a, T b) { return a > b ? a : b; }
