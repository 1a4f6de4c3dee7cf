// fast_gelu (and gelu): the tanh approximation 0.5 x (1 + tanh(α (x + β x³))), α = √(2/π),
// β = 0.044715, computed in the tensor's dtype (f32 for f16 and bf16) in the Cpu's order of
// operations.
// d/dx = 0.5 (1 + t) + 0.5 x (1 - t²) α (1 + 3β x²) with t = tanh(α (x + β x³)).
#include "kernel_macros.cuh"

#define GELU_ALPHA 0.7978845608028654   // √(2/π), as Python's math.sqrt(2.0 / math.pi)
#define GELU_BETA 0.044715
#define GELU_3BETA 0.134145             // 3 * 0.044715 rounded in f64, as in Python

// fast_gelu_SUFFIX(x) and its derivative fast_gelu_df_SUFFIX(x) in T
#define FAST_GELU(T, SUFFIX, TANH)                                                         \
    __device__ __forceinline__ T fast_gelu_##SUFFIX(const T x) {                           \
        const T t = TANH((T)GELU_ALPHA * (x + (T)GELU_BETA * (x * x * x)));                \
        return (T)0.5 * x * ((T)1 + t);                                                    \
    }                                                                                      \
    __device__ __forceinline__ T fast_gelu_df_##SUFFIX(const T x) {                        \
        const T x2 = x * x;                                                                \
        const T t = TANH((T)GELU_ALPHA * (x + (T)GELU_BETA * (x2 * x)));                   \
        const T slope = (T)GELU_ALPHA * ((T)1 + (T)GELU_3BETA * x2);                       \
        return (T)0.5 * ((T)1 + t) + (T)0.5 * x * ((T)1 - t * t) * slope;                  \
    }

FAST_GELU(float, f32, tanhf)
FAST_GELU(double, f64, tanh)

F32_HALVES(UNARY_OP, fast_gelu, fast_gelu_f32(x), fast_gelu_df_f32(x))
UNARY_OP(double, f64, fast_gelu, fast_gelu_f64(x), fast_gelu_df_f64(x))
