// tri: tril and triu, one triangle of every matrix of the last two axes kept, the rest 0.
// x is seen as (batch, rows, cols); element (i, j) of a matrix is kept when j - i <= k
// (tril) or j - i >= k (triu).
#include "kernel_macros.cuh"

#define TRI(T, SUFFIX, NAME, KEEP)                                                       \
    extern "C" __global__ void NAME##_##SUFFIX(const size_t n, const size_t rows,        \
                                               const size_t cols, const long long k,     \
                                               const T *x, T *out) {                     \
        GRID_STRIDE(e, n) {                                                              \
            const long long j = (long long)(e % cols);                                   \
            const long long i = (long long)((e / cols) % rows);                          \
            out[e] = (KEEP) ? x[e] : from_compute<T>(0);                                 \
        }                                                                                \
    }

#define TRI_BOTH(T, SUFFIX)                                                              \
    TRI(T, SUFFIX, tril, j - i <= k)                                                     \
    TRI(T, SUFFIX, triu, j - i >= k)

F32_HALVES_T(TRI_BOTH)
TRI_BOTH(double, f64)
TRI_BOTH(long long, i64)
TRI_BOTH(bool, bool)
