// sigmoid: 1 / (1 + e^-x) without overflow: with e = e^-|x| (never above 1), 1 / (1 + e) for
// x >= 0 and e / (1 + e) below (as the Cpu). The gradient is y (1 - y).
#include "kernel_macros.cuh"

__device__ __forceinline__ float sigmoid_f32(const float x) {
    const float e = expf(-fabsf(x));
    return (x >= 0.0f ? 1.0f : e) / (1.0f + e);
}

__device__ __forceinline__ double sigmoid_f64(const double x) {
    const double e = exp(-fabs(x));
    return (x >= 0.0 ? 1.0 : e) / (1.0 + e);
}

F32_HALVES(UNARY_OP, sigmoid, sigmoid_f32(x), y * (1.0f - y))
UNARY_OP(double, f64, sigmoid, sigmoid_f64(x), y * (1.0 - y))
