// sgd: one fused Sgd step per element (optim/sgd/__init__.py, SgdKernel). Reads the
// parameter and its gradient, updates the momentum buffer in place (a null velocity: no
// momentum) and writes the new parameter to out (out may be param: each element is read
// before it is written). The arithmetic follows the Cpu kernel operation by operation.
// Pointers come before the scalars, so every parameter is naturally aligned whatever the
// number of f32 scalars. f16 and bf16 compute in f32 (their scalars come in f32) and round
// what they store; their momentum buffer (S) is in the parameter's dtype, or in f32
// (sgd_update_f16_f32). The gradient is multiplied by grad_scale first (1: unchanged).
// sgd_update_amp_f16/bf16 step an AMP parameter: param is its f32 master (P = float), which
// is also written back to master; out gets the new value rounded to half precision.
// Otherwise master is null.
#include "kernel_macros.cuh"

#define SGD_L2 1          // g += weight_decay * p before momentum
#define SGD_DECOUPLED 2   // step += (lr * weight_decay) * p after it
#define SGD_NESTEROV 4    // g = g + momentum * v instead of g = v

template <typename T, typename P, typename S, typename C = compute_t<T>>
__device__ __forceinline__ void sgd_update(const size_t n, const size_t options, const P *param,
                                           const T *grad, S *velocity, T *out, P *master,
                                           const C grad_scale, const C lr, const C momentum,
                                           const C weight_decay, const C lr_weight_decay) {
    GRID_STRIDE(i, n) {
        const C p = to_compute(param[i]);
        C g = to_compute(grad[i]) * grad_scale;
        if (options & SGD_L2) g = g + weight_decay * p;
        if (velocity) {
            const C v = momentum * to_compute(velocity[i]) + g;
            velocity[i] = from_compute<S>(v);
            g = (options & SGD_NESTEROV) ? g + momentum * v : v;
        }
        C step = lr * g;
        if (options & SGD_DECOUPLED) step = step + lr_weight_decay * p;
        const C updated = p - step;
        if (master) master[i] = from_compute<P>(updated);
        out[i] = from_compute<T>(updated);
    }
}

#define SGD_UPDATE(T, P, S, SUFFIX, C)                                                     \
    extern "C" __global__ void sgd_update_##SUFFIX(                                        \
        const size_t n, const size_t options, const P *param, const T *grad, S *velocity,  \
        T *out, P *master, const C grad_scale, const C lr, const C momentum,               \
        const C weight_decay, const C lr_weight_decay) {                                   \
        sgd_update<T, P, S>(n, options, param, grad, velocity, out, master, grad_scale,    \
                            lr, momentum, weight_decay, lr_weight_decay);                  \
    }

SGD_UPDATE(float, float, float, f32, float)
SGD_UPDATE(double, double, double, f64, double)
SGD_UPDATE(__half, __half, __half, f16, float)
SGD_UPDATE(__nv_bfloat16, __nv_bfloat16, __nv_bfloat16, bf16, float)
SGD_UPDATE(__half, __half, float, f16_f32, float)
SGD_UPDATE(__nv_bfloat16, __nv_bfloat16, float, bf16_f32, float)
SGD_UPDATE(__half, float, float, amp_f16, float)
SGD_UPDATE(__nv_bfloat16, float, float, amp_bf16, float)
