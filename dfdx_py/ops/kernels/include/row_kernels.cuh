// Row kernels: one block per row of a contiguous (rows, n) array, any block size up to
// MAX_THREADS (softmax, log_softmax, logsumexp, var, std, normalize). A thread keeps up to
// CACHE elements of its row in registers, so a row of up to MAX_THREADS * CACHE elements is
// read from memory once; longer rows are streamed again for each pass.
#pragma once
#include "kernel_macros.cuh"


#define MAX_THREADS 1024
#define CACHE 8  // elements of its row each thread keeps in registers

// A row kernel; launch bounds keep its registers within what a block of MAX_THREADS has.
#define ROW_KERNEL extern "C" __global__ void __launch_bounds__(MAX_THREADS)

__device__ __forceinline__ float exp_of(float x) { return expf(x); }
__device__ __forceinline__ double exp_of(double x) { return exp(x); }
__device__ __forceinline__ float log_of(float x) { return logf(x); }
__device__ __forceinline__ double log_of(double x) { return log(x); }
__device__ __forceinline__ float sqrt_of(float x) { return sqrtf(x); }
__device__ __forceinline__ double sqrt_of(double x) { return sqrt(x); }

// The larger of a and b, NaN if either is (as numpy and torch).
template <typename T> __device__ __forceinline__ T max_of(T a, T b) {
    return (b != b || b > a) ? b : a;
}

template <typename T> struct Sum {
    __device__ __forceinline__ T operator()(T a, T b) const { return a + b; }
};
template <typename T> struct Max {
    __device__ __forceinline__ T operator()(T a, T b) const { return max_of(a, b); }
};

// v combined over the threads of the block by op; every thread gets the result. A block of
// whole warps, a power of two of them (row_threads), combines within each warp by register
// shuffles, then each warp combines the warps' results from part (a __shared__ array of
// MAX_THREADS); any other block size uses a tree in part.
template <typename T, typename Op>
__device__ __forceinline__ T block_reduce(T v, T *part, Op op) {
    const unsigned threads = blockDim.x;
    if (threads >= 32 && (threads & (threads - 1)) == 0) {
#pragma unroll
        for (unsigned o = 16; o > 0; o >>= 1) v = op(v, __shfl_xor_sync(0xffffffffu, v, o));
        const unsigned warps = threads / 32, lane = threadIdx.x & 31;
        if (warps == 1) return v;
        if (lane == 0) part[threadIdx.x / 32] = v;
        __syncthreads();
        v = part[lane & (warps - 1)];
        for (unsigned o = warps / 2; o > 0; o >>= 1)
            v = op(v, __shfl_xor_sync(0xffffffffu, v, o));
        __syncthreads();  // part is free again for the next reduction
        return v;
    }
    const unsigned t = threadIdx.x;
    part[t] = v;
    __syncthreads();
    for (unsigned width = blockDim.x; width > 1;) {
        const unsigned half = (width + 1) / 2;
        if (t < width - half) part[t] = op(part[t], part[t + half]);
        __syncthreads();
        width = half;
    }
    const T out = part[0];
    __syncthreads();  // part is free again for the next reduction
    return out;
}

// Whether a row of n elements fits in the registers of the block's threads.
__device__ __forceinline__ bool fits_cache(const size_t n) {
    return n <= (size_t)blockDim.x * CACHE;
}

// f(k, j) for this thread's elements j of a row that fits (k: the register they are in).
template <typename F> __device__ __forceinline__ void each_cached(const size_t n, F f) {
#pragma unroll
    for (int k = 0; k < CACHE; ++k) {
        const size_t j = threadIdx.x + (size_t)k * blockDim.x;
        if (j < n) f(k, j);
    }
}

// f(j) for this thread's elements j of a row too long for the registers.
template <typename F> __device__ __forceinline__ void each_streamed(const size_t n, F f) {
    for (size_t j = threadIdx.x; j < n; j += blockDim.x) f(j);
}

