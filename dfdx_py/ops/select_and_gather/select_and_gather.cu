// select_and_gather: read rows of x picked by an i64 index, and scatter-add them back.
//
// x is seen as rows (batch * size, rest): entry j of the index (j < batch * per_batch, in
// row-major order) belongs to batch entry b = j / per_batch and picks row b * size + idx[j].
// The output is (batch * per_batch, rest): one row per index entry.
//   gather_rows:      out[j, r] = x[row(j), r]
//   scatter_add_rows: grad_x[row(j), r] += grad_out[j, r]   (grad_x zero-filled first;
//                     repeated indices hit one row from several threads: atomicAdd).
//                     grad_x is in the compute type: f32 sums for f16 and bf16 (the caller
//                     rounds them to half afterwards).
//   first_out_of_range: out[0] = the first j with idx[j] outside [0, size) (n if none).
#include "kernel_macros.cuh"

#define GATHER_ROWS(T, SUFFIX)                                                           \
    extern "C" __global__ void gather_rows_##SUFFIX(                                     \
        const size_t n, const size_t per_batch, const size_t size, const size_t rest,    \
        const long long *idx, const T *x, T *out) {                                      \
        GRID_STRIDE(i, n) {                                                              \
            const size_t j = i / rest;                                                   \
            const size_t row = (j / per_batch) * size + (size_t)idx[j];                  \
            out[i] = x[row * rest + i % rest];                                           \
        }                                                                                \
    }

#define SCATTER_ADD_ROWS(T, SUFFIX)                                                      \
    extern "C" __global__ void scatter_add_rows_##SUFFIX(                                \
        const size_t n, const size_t per_batch, const size_t size, const size_t rest,    \
        const long long *idx, const T *grad_out, compute_t<T> *grad_x) {                 \
        GRID_STRIDE(i, n) {                                                              \
            const size_t j = i / rest;                                                   \
            const size_t row = (j / per_batch) * size + (size_t)idx[j];                  \
            atomicAdd(&grad_x[row * rest + i % rest], to_compute(grad_out[i]));          \
        }                                                                                \
    }

F32_HALVES_T(GATHER_ROWS)
GATHER_ROWS(double, f64)
GATHER_ROWS(long long, i64)
GATHER_ROWS(bool, bool)
F32_HALVES_T(SCATTER_ADD_ROWS)
SCATTER_ADD_ROWS(double, f64)

// The index check before a launch (a bad index would read out of bounds). Block 0 alone
// does the work, so any grid is correct: each of its first CHECK_THREADS threads finds the
// first bad entry of its strided share (the first it meets), then the block takes the
// minimum in shared memory. out[0] is that position (n when every index is in range),
// out[1] its value.
#define CHECK_THREADS 256

extern "C" __global__ void first_out_of_range(const size_t n, const size_t size,
                                              const long long *idx, long long *out) {
    __shared__ size_t first[CHECK_THREADS];
    if (blockIdx.x != 0) return;  // the whole block leaves: no barrier is split
    const unsigned threads = blockDim.x < CHECK_THREADS ? blockDim.x : CHECK_THREADS;
    const unsigned t = threadIdx.x;
    if (t < threads) {
        size_t mine = n;
        for (size_t j = t; j < n; j += threads) {
            const long long v = idx[j];
            if (v < 0 || (unsigned long long)v >= size) {
                mine = j;
                break;
            }
        }
        first[t] = mine;
    }
    __syncthreads();
    for (unsigned s = 1; s < threads; s <<= 1) {
        if (t % (2 * s) == 0 && t + s < threads && first[t + s] < first[t]) {
            first[t] = first[t + s];
        }
        __syncthreads();
    }
    if (t == 0) {
        out[0] = (long long)first[0];
        out[1] = first[0] < n ? idx[first[0]] : 0;
    }
}
