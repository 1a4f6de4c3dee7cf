// reduce: one value per row of a contiguous (rows, n) array: sum, max or min.
//
// NAME_rows_SUFFIX: one block per row (grid-stride over rows; at most MAX_THREADS threads, a
// power of two): each thread folds a strided part of the row, then the block combines in
// shared memory. Used by every reduction over trailing axes; other axes are first moved to
// the end.
//
// Few long rows (a loss's mean: one row of millions) would leave most of the GPU idle, so
// they take two launches instead: NAME_split_SUFFIX folds each of `splits` equal parts of
// every row in its own block into an array of partial results (in the accumulator type),
// and NAME_partials_SUFFIX combines the partials of each row.
//
// The accumulator is compute_t<T> (f32 for f16 and bf16), rounded once when the result is
// stored.
#include "kernel_macros.cuh"

#define MAX_THREADS 1024

template <typename C> struct Limits {
    __device__ static C lowest() { return -INFINITY; }
    __device__ static C highest() { return INFINITY; }
};
template <> struct Limits<long long> {
    __device__ static long long lowest() { return -9223372036854775807LL - 1; }
    __device__ static long long highest() { return 9223372036854775807LL; }
};

// max/min propagate NaN like numpy and torch: a NaN anywhere makes the result NaN.
struct SumOp {
    template <typename C> __device__ static C init() { return C(0); }
    template <typename C> __device__ C operator()(C acc, C v) const { return acc + v; }
};
struct MaxOp {
    template <typename C> __device__ static C init() { return Limits<C>::lowest(); }
    template <typename C> __device__ C operator()(C acc, C v) const {
        return (v != v || v > acc) ? v : acc;
    }
};
struct MinOp {
    template <typename C> __device__ static C init() { return Limits<C>::highest(); }
    template <typename C> __device__ C operator()(C acc, C v) const {
        return (v != v || v < acc) ? v : acc;
    }
};

// This thread's fold of x[begin, end) (threads take turns; 16-byte loads when x + begin and
// the range's length allow them).
template <typename T, typename Op, typename C = compute_t<T>>
__device__ __forceinline__ C fold_range(const T *x, const size_t begin, const size_t end,
                                        Op op, const bool aligned) {
    C acc = Op::template init<C>();
    const int VN = VecLanes<T>::n;
    const size_t nv = (VN > 1 && aligned) ? (end - begin) / VN : 0;
    const T *start = x + begin;
    for (size_t k = threadIdx.x; k < nv; k += blockDim.x) {
        const Lanes<T> lanes = load_lanes(start, k);
#pragma unroll
        for (int l = 0; l < VN; l++) acc = op(acc, to_compute(lanes.v[l]));
    }
    for (size_t j = begin + nv * VN + threadIdx.x; j < end; j += blockDim.x)
        acc = op(acc, to_compute(x[j]));
    return acc;
}

// acc combined over the block (a tree in part); the result is in part[0] for thread 0.
template <typename C, typename Op>
__device__ __forceinline__ C block_combine(C acc, C *part, Op op) {
    part[threadIdx.x] = acc;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) part[threadIdx.x] = op(part[threadIdx.x], part[threadIdx.x + s]);
        __syncthreads();
    }
    const C out = part[0];
    __syncthreads();  // part is free again
    return out;
}

template <typename T, typename Op, typename C = compute_t<T>>
__device__ __forceinline__ void reduce_rows(const size_t rows, const size_t n, const T *in,
                                            T *out, Op op) {
    __shared__ C part[MAX_THREADS];
    const bool aligned = n % VecLanes<T>::n == 0;  // every row starts on a 16-byte boundary
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const C acc = block_combine(fold_range(in + row * n, 0, n, op, aligned), part, op);
        if (threadIdx.x == 0) out[row] = from_compute<T>(acc);
    }
}

// Part p of each row covers `chunk` elements (a multiple of the vector lanes, so that every
// part of an aligned row starts aligned): [p * chunk, min(n, (p + 1) * chunk)).
template <typename T, typename Op, typename C = compute_t<T>>
__device__ __forceinline__ void reduce_split(const size_t rows, const size_t n,
                                             const size_t splits, const size_t chunk,
                                             const T *in, C *partials, Op op) {
    __shared__ C part[MAX_THREADS];
    const bool aligned = n % VecLanes<T>::n == 0;
    for (size_t b = blockIdx.x; b < rows * splits; b += gridDim.x) {
        const size_t row = b / splits, begin = (b % splits) * chunk;
        const size_t end = begin + chunk < n ? begin + chunk : n;
        const T *x = in + row * n;
        const C acc = block_combine(
            begin < end ? fold_range(x, begin, end, op, aligned) : Op::template init<C>(), part,
            op);
        if (threadIdx.x == 0) partials[b] = acc;
    }
}

template <typename T, typename Op, typename C = compute_t<T>>
__device__ __forceinline__ void reduce_partials(const size_t rows, const size_t splits,
                                                const C *partials, T *out, Op op) {
    __shared__ C part[MAX_THREADS];
    for (size_t row = blockIdx.x; row < rows; row += gridDim.x) {
        C acc = Op::template init<C>();
        for (size_t j = threadIdx.x; j < splits; j += blockDim.x)
            acc = op(acc, partials[row * splits + j]);
        acc = block_combine(acc, part, op);
        if (threadIdx.x == 0) out[row] = from_compute<T>(acc);
    }
}

#define REDUCE(T, SUFFIX, NAME, OP)                                                        \
    extern "C" __global__ void NAME##_rows_##SUFFIX(const size_t rows, const size_t n,     \
                                                     const T *in, T *out) {                \
        reduce_rows(rows, n, in, out, OP());                                               \
    }                                                                                      \
    extern "C" __global__ void NAME##_split_##SUFFIX(                                      \
        const size_t rows, const size_t n, const size_t splits, const size_t chunk,        \
        const T *in, compute_t<T> *partials) {                                             \
        reduce_split(rows, n, splits, chunk, in, partials, OP());                          \
    }                                                                                      \
    extern "C" __global__ void NAME##_partials_##SUFFIX(                                   \
        const size_t rows, const size_t splits, const compute_t<T> *partials, T *out) {    \
        reduce_partials(rows, splits, partials, out, OP());                                \
    }

#define REDUCE_ALL(T, SUFFIX) REDUCE(T, SUFFIX, sum, SumOp) REDUCE(T, SUFFIX, max, MaxOp) \
    REDUCE(T, SUFFIX, min, MinOp)

F32_HALVES_T(REDUCE_ALL)
REDUCE_ALL(double, f64)
REDUCE_ALL(long long, i64)
