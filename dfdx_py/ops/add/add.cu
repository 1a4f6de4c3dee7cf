// add: a + b for two arrays of one shape, and x + scalar (p0).
#include "kernel_macros.cuh"

F32_HALVES(BINARY_OP, add, a + b, 1.0f, 1.0f)
BINARY_OP(double, f64, add, a + b, 1.0, 1.0)
BINARY_FWD(long long, i64, add, a + b)

F32_HALVES(UNARY_OP, scalar_add, x + p0, 1.0f)
UNARY_OP(double, f64, scalar_add, x + p0, 1.0)
UNARY_FWD(long long, i64, scalar_add, x + p0)
