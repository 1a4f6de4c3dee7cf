// fill: every element of out set to value (the Cuda device's _full for non-zero values).
#include "kernel_macros.cuh"

#define FILL(T, SUFFIX)                                                                  \
    extern "C" __global__ void fill_##SUFFIX(const size_t n, const T value, T *out) {    \
        GRID_STRIDE(i, n) { out[i] = value; }                                            \
    }

FILL(float, f32)
FILL(double, f64)
FILL(long long, i64)
FILL(bool, bool)
