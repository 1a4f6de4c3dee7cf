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

using std::isnan;
using std::isinf;

template <typename T> inline T atomicAdd(T *address, T value) {
    T old = *address;
    *address = old + value;
    return old;
}
inline float __expf(float x) { return std::exp(x); }
inline float __logf(float x) { return std::log(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
template <typename T> inline T min(T a, T b) { return a < b ? a : b; }
template <typename T> inline T max(T a, T b) { return a > b ? a : b; }
