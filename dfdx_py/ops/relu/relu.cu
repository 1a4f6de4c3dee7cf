// relu: max(x, 0); the gradient is 1 where x > 0, else 0.
#include "kernel_macros.cuh"

UNARY_OP(float, f32, relu, x > 0.0f ? x : 0.0f, x > 0.0f ? 1.0f : 0.0f)
UNARY_OP(double, f64, relu, x > 0.0 ? x : 0.0, x > 0.0 ? 1.0 : 0.0)
UNARY_FWD(long long, i64, relu, x > 0 ? x : 0)
