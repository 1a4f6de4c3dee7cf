// linear: the bias added to every row of the GEMM's output, in place (y[r, o] += bias[o]).
#include "kernel_macros.cuh"

#define BIAS_ROWS(T, SUFFIX)                                                              \
    extern "C" __global__ void bias_rows_##SUFFIX(const size_t n, const size_t cols,       \
                                                  const T *bias, T *y) {                  \
        GRID_STRIDE(i, n) { y[i] += bias[i % cols]; }                                     \
    }

BIAS_ROWS(float, f32)
BIAS_ROWS(double, f64)
