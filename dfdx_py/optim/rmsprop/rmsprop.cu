// rmsprop: one fused RMSprop step per element (optim/rmsprop/__init__.py, RMSpropKernel).
// Updates the square average, the gradient average (a null grad_avg: not centered) and the
// momentum buffer (a null velocity: no momentum) in place, and writes the new parameter to
// out (out may be param: each element is read before it is written). The arithmetic
// follows the Cpu kernel operation by operation. Pointers come before the scalars, so every
// parameter is naturally aligned whatever the number of f32 scalars. f16 and bf16 compute in
// f32 (their scalars come in f32) and round what they store; their buffers (S) are in the
// parameter's dtype, or in f32 (rmsprop_update_f16_f32). The gradient is multiplied by
// grad_scale first (1: unchanged). rmsprop_update_amp_f16/bf16 step an AMP parameter: param
// is its f32 master (P = float), which is also written back to master; out gets the new
// value rounded to half precision. Otherwise master is null.
#include "kernel_macros.cuh"

#define RMSPROP_L2 1         // g += weight_decay * p
#define RMSPROP_DECOUPLED 2  // step += (lr * weight_decay) * p

__device__ __forceinline__ float square_root(const float x) { return sqrtf(x); }
__device__ __forceinline__ double square_root(const double x) { return sqrt(x); }

template <typename T, typename P, typename S, typename C = compute_t<T>>
__device__ __forceinline__ void rmsprop_update(
    const size_t n, const size_t options, const P *param, const T *grad, S *square_avg,
    S *grad_avg, S *velocity, T *out, P *master, const C grad_scale, const C lr,
    const C alpha, const C one_minus_alpha, const C eps, const C momentum,
    const C weight_decay, const C lr_weight_decay) {
    GRID_STRIDE(i, n) {
        const C p = to_compute(param[i]);
        C g = to_compute(grad[i]) * grad_scale;
        if (options & RMSPROP_L2) g = g + weight_decay * p;
        C sa = alpha * to_compute(square_avg[i]) + one_minus_alpha * (g * g);
        square_avg[i] = from_compute<S>(sa);
        if (grad_avg) {
            const C ga = alpha * to_compute(grad_avg[i]) + one_minus_alpha * g;
            grad_avg[i] = from_compute<S>(ga);
            sa = sa - ga * ga;
        }
        C step = g / (square_root(sa) + eps);
        if (velocity) {
            step = momentum * to_compute(velocity[i]) + step;
            velocity[i] = from_compute<S>(step);
        }
        step = lr * step;
        if (options & RMSPROP_DECOUPLED) step = step + lr_weight_decay * p;
        const C updated = p - step;
        if (master) master[i] = from_compute<P>(updated);
        out[i] = from_compute<T>(updated);
    }
}

#define RMSPROP_UPDATE(T, P, S, SUFFIX, C)                                                 \
    extern "C" __global__ void rmsprop_update_##SUFFIX(                                    \
        const size_t n, const size_t options, const P *param, const T *grad,               \
        S *square_avg, S *grad_avg, S *velocity, T *out, P *master, const C grad_scale,    \
        const C lr, const C alpha, const C one_minus_alpha, const C eps, const C momentum, \
        const C weight_decay, const C lr_weight_decay) {                                   \
        rmsprop_update<T, P, S>(n, options, param, grad, square_avg, grad_avg, velocity,   \
                                out, master, grad_scale, lr, alpha, one_minus_alpha, eps,  \
                                momentum, weight_decay, lr_weight_decay);                  \
    }

RMSPROP_UPDATE(float, float, float, f32, float)
RMSPROP_UPDATE(double, double, double, f64, double)
RMSPROP_UPDATE(__half, __half, __half, f16, float)
RMSPROP_UPDATE(__nv_bfloat16, __nv_bfloat16, __nv_bfloat16, bf16, float)
RMSPROP_UPDATE(__half, __half, float, f16_f32, float)
RMSPROP_UPDATE(__nv_bfloat16, __nv_bfloat16, float, bf16_f32, float)
RMSPROP_UPDATE(__half, float, float, amp_f16, float)
RMSPROP_UPDATE(__nv_bfloat16, float, float, amp_bf16, float)
