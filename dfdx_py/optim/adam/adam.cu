// adam: one fused Adam/AdamW step per element (optim/adam/__init__.py, AdamKernel). Updates
// both moments in place and writes the new parameter to out (out may be param: each element
// is read before it is written). PyTorch's formulation, as the Cpu's f32/f64 kernel:
//   p - step_size * m / (sqrt(v) * inv_sqrt_bc2 + eps)
// with step_size = lr / (1 - b1^t) and inv_sqrt_bc2 = 1 / sqrt(1 - b2^t) computed once per
// launch; the arithmetic follows the Cpu kernel operation by operation. Pointers come before
// the scalars, so every parameter is naturally aligned whatever the number of f32 scalars.
// f16 and bf16 compute in f32 (their scalars come in f32) and round what they store; their
// moments (S) are kept in the parameter's dtype, or in f32 (adam_update_f16_f32).
// The gradient is multiplied by grad_scale first (1: unchanged). adam_update_amp_f16/bf16
// step an AMP parameter: param is its f32 master (P = float), which is also written back to
// master; out gets the new value rounded to half precision. Otherwise master is null.
#include "kernel_macros.cuh"

#define ADAM_L2 1         // g += weight_decay * p (Adam's weight_decay)
#define ADAM_DECOUPLED 2  // step += (lr * weight_decay) * p (AdamW)

__device__ __forceinline__ float square_root(const float x) { return sqrtf(x); }
__device__ __forceinline__ double square_root(const double x) { return sqrt(x); }

template <typename T, typename P, typename S, typename C = compute_t<T>>
__device__ __forceinline__ void adam_update(
    const size_t n, const size_t options, const P *param, const T *grad, S *moment1, S *moment2,
    T *out, P *master, const C grad_scale, const C beta1, const C one_minus_beta1,
    const C beta2, const C one_minus_beta2, const C step_size, const C inv_sqrt_bc2,
    const C eps, const C weight_decay, const C lr_weight_decay) {
    GRID_STRIDE(i, n) {
        const C p = to_compute(param[i]);
        C g = to_compute(grad[i]) * grad_scale;
        if (options & ADAM_L2) g = g + p * weight_decay;
        const C m = to_compute(moment1[i]) * beta1 + g * one_minus_beta1;
        const C v = to_compute(moment2[i]) * beta2 + (g * g) * one_minus_beta2;
        moment1[i] = from_compute<S>(m);
        moment2[i] = from_compute<S>(v);
        const C denom = square_root(v) * inv_sqrt_bc2 + eps;
        C step = m / denom * step_size;
        if (options & ADAM_DECOUPLED) step = step + p * lr_weight_decay;
        const C updated = p - step;
        if (master) master[i] = from_compute<P>(updated);
        out[i] = from_compute<T>(updated);
    }
}

#define ADAM_UPDATE(T, P, S, SUFFIX, C)                                                    \
    extern "C" __global__ void adam_update_##SUFFIX(                                       \
        const size_t n, const size_t options, const P *param, const T *grad, S *moment1,   \
        S *moment2, T *out, P *master, const C grad_scale, const C beta1,                  \
        const C one_minus_beta1, const C beta2, const C one_minus_beta2,                   \
        const C step_size, const C inv_sqrt_bc2, const C eps, const C weight_decay,        \
        const C lr_weight_decay) {                                                         \
        adam_update<T, P, S>(n, options, param, grad, moment1, moment2, out, master,       \
                             grad_scale, beta1, one_minus_beta1, beta2, one_minus_beta2,   \
                             step_size, inv_sqrt_bc2, eps, weight_decay, lr_weight_decay); \
    }

ADAM_UPDATE(float, float, float, f32, float)
ADAM_UPDATE(double, double, double, f64, double)
ADAM_UPDATE(__half, __half, __half, f16, float)
ADAM_UPDATE(__nv_bfloat16, __nv_bfloat16, __nv_bfloat16, bf16, float)
ADAM_UPDATE(__half, __half, float, f16_f32, float)
ADAM_UPDATE(__nv_bfloat16, __nv_bfloat16, float, bf16_f32, float)
ADAM_UPDATE(__half, float, float, amp_f16, float)
ADAM_UPDATE(__nv_bfloat16, float, float, amp_bf16, float)
