// ln: the natural log (-inf at 0, NaN below); the gradient is grad / x (inf at 0), rather
// than (1 / x) * grad: the Cpu's rounding.
#include "kernel_macros.cuh"

F32_HALVES(UNARY_FWD, ln, logf(x))
F32_HALVES(UNARY_BWD, ln, logf(x), g / x)
UNARY_FWD(double, f64, ln, log(x))
UNARY_BWD(double, f64, ln, log(x), g / x)
