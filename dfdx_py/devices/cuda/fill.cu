// fill: every element of out set to value (the Cuda device's _full for non-zero values),
// which comes in the compute type (f32 for f16 and bf16, rounded to nearest even here).
#include "kernel_macros.cuh"

#define FILL(T, SUFFIX)                                                                  \
    extern "C" __global__ void fill_##SUFFIX(const size_t n, const compute_t<T> value,   \
                                             T *out) {                                   \
        const T v = from_compute<T>(value);                                              \
        GRID_STRIDE(i, n) { out[i] = v; }                                                \
    }

F32_HALVES_T(FILL)
FILL(double, f64)
FILL(long long, i64)
FILL(bool, bool)
