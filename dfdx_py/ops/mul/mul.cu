// mul: a * b for two arrays of one shape, and x * scalar (p0).
#include "kernel_macros.cuh"

F32_HALVES(BINARY_OP, mul, a * b, b, a)
BINARY_OP(double, f64, mul, a * b, b, a)
BINARY_FWD(long long, i64, mul, a * b)

F32_HALVES(UNARY_OP, scalar_mul, x * p0, p0)
UNARY_OP(double, f64, scalar_mul, x * p0, p0)
UNARY_FWD(long long, i64, scalar_mul, x * p0)
