// sqrt: √x (NaN below 0); the gradient is grad * 0.5 / y (inf at 0), rather than
// (0.5 / y) * grad: the Cpu's rounding.
#include "kernel_macros.cuh"

F32_HALVES(UNARY_FWD, sqrt, sqrtf(x))
F32_HALVES(UNARY_BWD, sqrt, sqrtf(x), g * 0.5f / y)
UNARY_FWD(double, f64, sqrt, sqrt(x))
UNARY_BWD(double, f64, sqrt, sqrt(x), g * 0.5 / y)
