// tanh: tanh(x); the gradient is 1 - y².
#include "kernel_macros.cuh"

F32_HALVES(UNARY_OP, tanh, tanhf(x), 1.0f - y * y)
UNARY_OP(double, f64, tanh, tanh(x), 1.0 - y * y)
