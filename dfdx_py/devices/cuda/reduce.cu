// reduce: one value per row of a contiguous (rows, n) array: sum, max or min.
//
// One block per row (grid-stride over rows; at most MAX_THREADS threads, a power of two):
// each thread folds a strided part of the row, then the block combines in shared memory.
// Used by every reduction over trailing axes; other axes are first moved to the end. The
// accumulator is compute_t<T> (f32 for f16 and bf16), rounded once when the result is stored.
#include "kernel_macros.cuh"

#define MAX_THREADS 1024

#define REDUCE_ROWS(T, SUFFIX, NAME, INIT, COMBINE)                                      \
    extern "C" __global__ void NAME##_rows_##SUFFIX(const size_t rows, const size_t n,   \
                                                     const T *in, T *out) {              \
        typedef compute_t<T> C;                                                          \
        __shared__ C part[MAX_THREADS];                                                  \
        for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {                    \
            const T *x = in + row * n;                                                   \
            C acc = (INIT);                                                              \
            const int VN = VecLanes<T>::n;                                               \
            /* 16-byte loads when every row starts aligned (n a multiple of the lanes) */ \
            const size_t nv = (VN > 1 && n % VN == 0) ? n / VN : 0;                      \
            for (size_t k = threadIdx.x; k < nv; k += blockDim.x) {                      \
                const Lanes<T> lanes = load_lanes(x, k);                                 \
                _Pragma("unroll") for (int l = 0; l < VN; l++) {                         \
                    const C v = to_compute(lanes.v[l]);                                  \
                    acc = (COMBINE);                                                     \
                }                                                                        \
            }                                                                            \
            for (size_t j = nv * VN + threadIdx.x; j < n; j += blockDim.x) {             \
                const C v = to_compute(x[j]);                                            \
                acc = (COMBINE);                                                         \
            }                                                                            \
            part[threadIdx.x] = acc;                                                     \
            __syncthreads();                                                             \
            for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {                          \
                if (threadIdx.x < s) {                                                   \
                    const C v = part[threadIdx.x + s];                                   \
                    acc = part[threadIdx.x];                                             \
                    part[threadIdx.x] = (COMBINE);                                       \
                }                                                                        \
                __syncthreads();                                                         \
            }                                                                            \
            if (threadIdx.x == 0) out[row] = from_compute<T>(part[0]);                   \
            __syncthreads();                                                             \
        }                                                                                \
    }

// max/min propagate NaN like numpy and torch: a NaN anywhere makes the result NaN.
#define MAX_OF(acc, v) ((v) != (v) || (v) > (acc) ? (v) : (acc))
#define MIN_OF(acc, v) ((v) != (v) || (v) < (acc) ? (v) : (acc))

F32_HALVES(REDUCE_ROWS, sum, 0.0f, acc + v)
REDUCE_ROWS(double, f64, sum, 0.0, acc + v)
REDUCE_ROWS(long long, i64, sum, 0, acc + v)
F32_HALVES(REDUCE_ROWS, max, -INFINITY, MAX_OF(acc, v))
REDUCE_ROWS(double, f64, max, -INFINITY, MAX_OF(acc, v))
REDUCE_ROWS(long long, i64, max, (-9223372036854775807LL - 1), (v > acc ? v : acc))
F32_HALVES(REDUCE_ROWS, min, INFINITY, MIN_OF(acc, v))
REDUCE_ROWS(double, f64, min, INFINITY, MIN_OF(acc, v))
REDUCE_ROWS(long long, i64, min, 9223372036854775807LL, (v < acc ? v : acc))
