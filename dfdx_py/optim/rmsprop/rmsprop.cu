// rmsprop: one fused RMSprop step per element (optim/rmsprop/__init__.py, RMSpropKernel).
// Updates the square average, the gradient average (a null grad_avg: not centered) and the
// momentum buffer (a null velocity: no momentum) in place, and writes the new parameter to
// out (out may be param: each element is read before it is written). The arithmetic
// follows the Cpu kernel operation by operation. Pointers come before the scalars, so every
// parameter is naturally aligned whatever the number of f32 scalars.
#include "kernel_macros.cuh"

#define RMSPROP_L2 1         // g += weight_decay * p
#define RMSPROP_DECOUPLED 2  // step += (lr * weight_decay) * p

__device__ __forceinline__ float square_root(const float x) { return sqrtf(x); }
__device__ __forceinline__ double square_root(const double x) { return sqrt(x); }

template <typename T>
__device__ __forceinline__ void rmsprop_update(
    const size_t n, const size_t options, const T *param, const T *grad, T *square_avg,
    T *grad_avg, T *velocity, T *out, const T lr, const T alpha, const T one_minus_alpha,
    const T eps, const T momentum, const T weight_decay, const T lr_weight_decay) {
    GRID_STRIDE(i, n) {
        const T p = param[i];
        T g = grad[i];
        if (options & RMSPROP_L2) g = g + weight_decay * p;
        T sa = alpha * square_avg[i] + one_minus_alpha * (g * g);
        square_avg[i] = sa;
        if (grad_avg) {
            const T ga = alpha * grad_avg[i] + one_minus_alpha * g;
            grad_avg[i] = ga;
            sa = sa - ga * ga;
        }
        T step = g / (square_root(sa) + eps);
        if (velocity) {
            step = momentum * velocity[i] + step;
            velocity[i] = step;
        }
        step = lr * step;
        if (options & RMSPROP_DECOUPLED) step = step + lr_weight_decay * p;
        out[i] = p - step;
    }
}

#define RMSPROP_UPDATE(T, SUFFIX)                                                          \
    extern "C" __global__ void rmsprop_update_##SUFFIX(                                    \
        const size_t n, const size_t options, const T *param, const T *grad,               \
        T *square_avg, T *grad_avg, T *velocity, T *out, const T lr, const T alpha,        \
        const T one_minus_alpha, const T eps, const T momentum, const T weight_decay,      \
        const T lr_weight_decay) {                                                         \
        rmsprop_update<T>(n, options, param, grad, square_avg, grad_avg, velocity, out,    \
                          lr, alpha, one_minus_alpha, eps, momentum, weight_decay,         \
                          lr_weight_decay);                                                \
    }

RMSPROP_UPDATE(float, f32)
RMSPROP_UPDATE(double, f64)
