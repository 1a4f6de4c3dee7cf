// sgd: one fused Sgd step per element (optim/sgd/__init__.py, SgdKernel). Reads the
// parameter and its gradient, updates the momentum buffer in place (a null velocity: no
// momentum) and writes the new parameter to out (out may be param: each element is read
// before it is written). The arithmetic follows the Cpu kernel operation by operation.
// Pointers come before the scalars, so every parameter is naturally aligned whatever the
// number of f32 scalars.
#include "kernel_macros.cuh"

#define SGD_L2 1          // g += weight_decay * p before momentum
#define SGD_DECOUPLED 2   // step += (lr * weight_decay) * p after it
#define SGD_NESTEROV 4    // g = g + momentum * v instead of g = v

template <typename T>
__device__ __forceinline__ void sgd_update(const size_t n, const size_t options, const T *param,
                                           const T *grad, T *velocity, T *out, const T lr,
                                           const T momentum, const T weight_decay,
                                           const T lr_weight_decay) {
    GRID_STRIDE(i, n) {
        const T p = param[i];
        T g = grad[i];
        if (options & SGD_L2) g = g + weight_decay * p;
        if (velocity) {
            const T v = momentum * velocity[i] + g;
            velocity[i] = v;
            g = (options & SGD_NESTEROV) ? g + momentum * v : v;
        }
        T step = lr * g;
        if (options & SGD_DECOUPLED) step = step + lr_weight_decay * p;
        out[i] = p - step;
    }
}

#define SGD_UPDATE(T, SUFFIX)                                                              \
    extern "C" __global__ void sgd_update_##SUFFIX(                                        \
        const size_t n, const size_t options, const T *param, const T *grad, T *velocity,  \
        T *out, const T lr, const T momentum, const T weight_decay,                        \
        const T lr_weight_decay) {                                                         \
        sgd_update<T>(n, options, param, grad, velocity, out, lr, momentum, weight_decay,  \
                      lr_weight_decay);                                                    \
    }

SGD_UPDATE(float, f32)
SGD_UPDATE(double, f64)
