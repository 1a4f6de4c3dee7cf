// max (and min): the backward pass, dfdx's rule: every element equal to the result of its
// reduction gets the full grad_y of that reduction, the others 0. x is a contiguous
// (rows, n) array (the reduced axes last), y and grad_y hold one value per row. The forward
// passes are the row reductions of reduce.cu.
//   extremum_bwd_SUFFIX(size, n, x, y, grad_y, grad_x)
#include "kernel_macros.cuh"

#define EXTREMUM_BWD(T, SUFFIX)                                                            \
    extern "C" __global__ void extremum_bwd_##SUFFIX(const size_t size, const size_t n,    \
                                                     const T *x, const T *y,               \
                                                     const T *grad_y, T *grad_x) {         \
        GRID_STRIDE(i, size) {                                                             \
            const size_t row = i / n;                                                      \
            const bool hit = to_compute(x[i]) == to_compute(y[row]);                       \
            grad_x[i] = hit ? grad_y[row] : from_compute<T>(0);                            \
        }                                                                                  \
    }

F32_HALVES_T(EXTREMUM_BWD)
EXTREMUM_BWD(double, f64)
EXTREMUM_BWD(long long, i64)
