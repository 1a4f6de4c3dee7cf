// adam: one fused Adam/AdamW step per element (optim/adam/__init__.py, AdamKernel). Updates
// both moments in place and writes the new parameter to out (out may be param: each element
// is read before it is written). PyTorch's formulation, as the Cpu's f32/f64 kernel:
//   p - step_size * m / (sqrt(v) * inv_sqrt_bc2 + eps)
// with step_size = lr / (1 - b1^t) and inv_sqrt_bc2 = 1 / sqrt(1 - b2^t) computed once per
// launch; the arithmetic follows the Cpu kernel operation by operation. Pointers come before
// the scalars, so every parameter is naturally aligned whatever the number of f32 scalars.
#include "kernel_macros.cuh"

#define ADAM_L2 1         // g += weight_decay * p (Adam's weight_decay)
#define ADAM_DECOUPLED 2  // step += (lr * weight_decay) * p (AdamW)

__device__ __forceinline__ float square_root(const float x) { return sqrtf(x); }
__device__ __forceinline__ double square_root(const double x) { return sqrt(x); }

template <typename T>
__device__ __forceinline__ void adam_update(
    const size_t n, const size_t options, const T *param, const T *grad, T *moment1, T *moment2,
    T *out, const T beta1, const T one_minus_beta1, const T beta2, const T one_minus_beta2,
    const T step_size, const T inv_sqrt_bc2, const T eps, const T weight_decay,
    const T lr_weight_decay) {
    GRID_STRIDE(i, n) {
        const T p = param[i];
        T g = grad[i];
        if (options & ADAM_L2) g = g + p * weight_decay;
        const T m = moment1[i] * beta1 + g * one_minus_beta1;
        const T v = moment2[i] * beta2 + (g * g) * one_minus_beta2;
        moment1[i] = m;
        moment2[i] = v;
        const T denom = square_root(v) * inv_sqrt_bc2 + eps;
        T step = m / denom * step_size;
        if (options & ADAM_DECOUPLED) step = step + p * lr_weight_decay;
        out[i] = p - step;
    }
}

#define ADAM_UPDATE(T, SUFFIX)                                                             \
    extern "C" __global__ void adam_update_##SUFFIX(                                       \
        const size_t n, const size_t options, const T *param, const T *grad, T *moment1,   \
        T *moment2, T *out, const T beta1, const T one_minus_beta1, const T beta2,         \
        const T one_minus_beta2, const T step_size, const T inv_sqrt_bc2, const T eps,     \
        const T weight_decay, const T lr_weight_decay) {                                   \
        adam_update<T>(n, options, param, grad, moment1, moment2, out, beta1,              \
                       one_minus_beta1, beta2, one_minus_beta2, step_size, inv_sqrt_bc2,   \
                       eps, weight_decay, lr_weight_decay);                                \
    }

ADAM_UPDATE(float, f32)
ADAM_UPDATE(double, f64)
