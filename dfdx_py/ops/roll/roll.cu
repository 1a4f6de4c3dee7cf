// roll: x seen as (outer, n, inner) around the rolled axis; element j of the axis moves to
// (j + shift) % n, so out[o, j, r] = x[o, (j + n - shift) % n, r] with 0 <= shift < n.
#include "kernel_macros.cuh"

#define ROLL(T, SUFFIX)                                                                  \
    extern "C" __global__ void roll_##SUFFIX(const size_t total, const size_t n,         \
                                             const size_t inner, const size_t shift,     \
                                             const T *x, T *out) {                       \
        GRID_STRIDE(i, total) {                                                          \
            const size_t r = i % inner;                                                  \
            const size_t j = (i / inner) % n;                                            \
            const size_t o = i / (inner * n);                                            \
            const size_t src = j >= shift ? j - shift : j + n - shift;                   \
            out[i] = x[(o * n + src) * inner + r];                                       \
        }                                                                                \
    }

F32_HALVES_T(ROLL)
ROLL(double, f64)
ROLL(long long, i64)
ROLL(bool, bool)
