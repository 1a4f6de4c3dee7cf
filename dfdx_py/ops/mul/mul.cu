// mul: a * b for two arrays of one shape, and x * scalar (p0).
#include "kernel_macros.cuh"

BINARY_OP(float, f32, mul, a * b, b, a)
BINARY_OP(double, f64, mul, a * b, b, a)
BINARY_FWD(long long, i64, mul, a * b)

UNARY_OP(float, f32, scalar_mul, x * p0, p0)
UNARY_OP(double, f64, scalar_mul, x * p0, p0)
UNARY_FWD(long long, i64, scalar_mul, x * p0)
