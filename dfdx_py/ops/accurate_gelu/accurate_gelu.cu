// accurate_gelu: x Φ(x) with Φ(x) = 0.5 erfc(-x/√2), computed in f64 for every dtype and
// rounded once (as the Cpu; f16 and bf16 through f32), which keeps the left tail accurate
// where 1 + erf(x/√2) would cancel. d/dx = Φ(x) + x φ(x), φ(x) = e^(-x²/2) / √(2π), also
// computed in f64.
#include "kernel_macros.cuh"

#define SQRT_HALF 0.7071067811865476         // √0.5, as Python's math.sqrt(0.5)
#define INV_SQRT_2PI 0.3989422804014327      // 1/√(2π), as Python's 1.0 / math.sqrt(2 * math.pi)

__device__ __forceinline__ double normal_cdf(const double x) {
    return 0.5 * erfc(-SQRT_HALF * x);
}

__device__ __forceinline__ double accurate_gelu_f64(const double x) { return x * normal_cdf(x); }

__device__ __forceinline__ double accurate_gelu_df_f64(const double x) {
    return normal_cdf(x) + x * (INV_SQRT_2PI * exp(-0.5 * (x * x)));
}

F32_HALVES(UNARY_OP, accurate_gelu, (float)accurate_gelu_f64((double)x),
         (float)accurate_gelu_df_f64((double)x))
UNARY_OP(double, f64, accurate_gelu, accurate_gelu_f64(x), accurate_gelu_df_f64(x))
