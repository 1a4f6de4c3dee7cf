// relu: max(x, 0); the gradient passes where x > 0 and is exactly 0 elsewhere (also for an
// infinite incoming gradient, where 0 * inf would be NaN).
#include "kernel_macros.cuh"

F32_HALVES(UNARY_OP_GRAD, relu, x > 0.0f ? x : 0.0f, x > 0.0f ? g : 0.0f)
UNARY_OP_GRAD(double, f64, relu, x > 0.0 ? x : 0.0, x > 0.0 ? g : 0.0)
UNARY_FWD(long long, i64, relu, x > 0 ? x : 0)
