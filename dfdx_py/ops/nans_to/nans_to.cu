// nans_to: x with every NaN replaced by the value p0 (infinities kept); the gradient is 0
// where x is NaN and passes elsewhere.
#include "kernel_macros.cuh"

#define NANS_TO(T, SUFFIX)                                                                 \
    UNARY_FWD(T, SUFFIX, nans_to, isnan(x) ? p0 : x)                                       \
    UNARY_BWD(T, SUFFIX, nans_to, x, isnan(x) ? 0 : g)

F32_HALVES_T(NANS_TO)
NANS_TO(double, f64)
