// leaky_relu: x where x > 0, else x * slope (p0); the gradient is 1 where x > 0, else the
// slope (at 0 too, as PyTorch).
#include "kernel_macros.cuh"

F32_HALVES(UNARY_OP, leaky_relu, x > 0.0f ? x : x * p0, x > 0.0f ? 1.0f : p0)
UNARY_OP(double, f64, leaky_relu, x > 0.0 ? x : x * p0, x > 0.0 ? 1.0 : p0)
