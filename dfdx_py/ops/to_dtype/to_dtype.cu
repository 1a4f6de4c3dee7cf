// to_dtype: elementwise conversions between f32, f64, i64, bool, f16 and bf16, one kernel
// per pair:
//   convert_SRC_DST(n, inp, out)
// Floats round to nearest even, float -> i64 truncates toward zero, anything -> bool is
// x != 0 (NaN too), bool -> numbers gives 0 and 1. Float -> i64 also counts the NaN and
// infinite inputs into *bad (the caller raises):
//   convert_SRC_i64(n, inp, out, bad)
// f16 and bf16 are stored as 16-bit patterns and converted with integer arithmetic, bit for
// bit as numpy (f16) and ml_dtypes (bf16) do, except that every conversion rounds once as
// the Cpu does (devices/base.py: astype_rounded): f64 and i64 -> bf16 go through f32
// rounded to odd, which ml_dtypes rounds to nearest even instead. A NaN keeps its sign (and
// its payload's top bits in f16).
#include <cstring>

#include "kernel_macros.cuh"

typedef unsigned short half_bits;

__device__ __forceinline__ unsigned f32_bits(const float x) {
    unsigned u;
    memcpy(&u, &x, sizeof u);
    return u;
}

__device__ __forceinline__ float f32_from_bits(const unsigned u) {
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

__device__ __forceinline__ unsigned long long f64_bits(const double x) {
    unsigned long long u;
    memcpy(&u, &x, sizeof u);
    return u;
}

// A float of M mantissa bits and exponent bias B (the pattern u, type U) rounded to f16.
template <typename U, int M, int B>
__device__ __forceinline__ half_bits to_f16(const U u) {
    const int W = 8 * sizeof(U);
    const unsigned sign = (unsigned)(u >> (W - 16)) & 0x8000u;
    const U a = u & ~((U)1 << (W - 1));  // |x|
    const U exp_mask = (((U)1 << (W - 1 - M)) - 1) << M;
    if (a > exp_mask) {  // NaN: the top 10 payload bits, and never the pattern of inf
        const unsigned payload = (unsigned)((a & (((U)1 << M) - 1)) >> (M - 10));
        return (half_bits)(sign | 0x7c00u | (payload ? payload : 1u));
    }
    const int e = (int)(a >> M) - B;  // the exponent of a normal x
    if (e >= 16) return (half_bits)(sign | 0x7c00u);  // inf, or rounds to it
    // x = sig 2^(e-M); in units of the f16 ulp: 2^(e-10) (normal) or 2^-24 (subnormal)
    const int shift = M - 10 + (e < -14 ? -14 - e : 0);
    if (shift > M + 1) return (half_bits)sign;  // below half the smallest subnormal (or 0)
    const U sig = (a & (((U)1 << M) - 1)) | ((U)1 << M);
    U q = sig >> shift;
    const U rem = sig & (((U)1 << shift) - 1);
    const U half = (U)1 << (shift - 1);
    if (rem > half || (rem == half && (q & 1))) ++q;  // to nearest, ties to even
    // normal: q in [2^10, 2^11] (2^11 carries into the exponent, up to inf)
    const unsigned bits = e < -14 ? (unsigned)q : ((unsigned)(e + 14) << 10) + (unsigned)q;
    return (half_bits)(sign | bits);
}

__device__ __forceinline__ half_bits f32_to_f16(const float x) {
    return to_f16<unsigned, 23, 127>(f32_bits(x));
}

__device__ __forceinline__ half_bits f64_to_f16(const double x) {
    return to_f16<unsigned long long, 52, 1023>(f64_bits(x));
}

__device__ __forceinline__ float f16_to_f32(const half_bits h) {
    const unsigned sign = ((unsigned)h & 0x8000u) << 16;
    const unsigned e = ((unsigned)h >> 10) & 0x1fu;
    const unsigned m = (unsigned)h & 0x3ffu;
    if (e == 0x1fu) return f32_from_bits(sign | 0x7f800000u | (m << 13));  // inf, NaN
    if (e == 0) {  // zero or subnormal: m 2^-24, exact in f32
        const float v = (float)m * 0x1p-24f;
        return sign ? -v : v;
    }
    return f32_from_bits(sign | ((e + 112u) << 23) | (m << 13));
}

__device__ __forceinline__ half_bits f32_to_bf16(const float x) {
    const unsigned u = f32_bits(x);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (half_bits)(((u >> 16) & 0x8000u) | 0x7fc0u);
    return (half_bits)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);  // to nearest, ties to even
}

// x rounded to f32 toward zero with the last bit set where inexact (round to odd): rounding
// that to bf16 (16 fewer bits) rounds x once. Past the f32 range: the largest f32, odd.
__device__ __forceinline__ float f64_to_f32_odd(const double x) {
    const float y = (float)x;
    const double near = (double)y;
    if (near == x || isnan(x)) return y;
    unsigned u = f32_bits(y);
    if (fabs(near) > fabs(x)) --u;  // rounded away from zero: one step back
    return f32_from_bits(u | 1u);
}

__device__ __forceinline__ float bf16_to_f32(const half_bits h) {
    return f32_from_bits((unsigned)h << 16);
}

#define CONVERT(SRC_T, SRC, DST_T, DST, EXPR)                                              \
    extern "C" __global__ void convert_##SRC##_##DST(const size_t n, const SRC_T *inp,     \
                                                     DST_T *out) {                         \
        GRID_STRIDE(i, n) {                                                                \
            const SRC_T x = inp[i];                                                        \
            out[i] = (EXPR);                                                               \
        }                                                                                  \
    }

#define I64_MIN (-9223372036854775807ll - 1)

// VALUE: x as a float or double. Finite values outside the i64 range give i64 min, as
// numpy and PyTorch on x86 (a C++ cast would be undefined there).
#define FLOAT_TO_I64(SRC_T, SRC, VALUE)                                                    \
    extern "C" __global__ void convert_##SRC##_i64(const size_t n, const SRC_T *inp,       \
                                                   long long *out,                         \
                                                   unsigned long long *bad) {              \
        GRID_STRIDE(i, n) {                                                                \
            const SRC_T x = inp[i];                                                        \
            const auto v = (VALUE);                                                        \
            if (isnan(v) || isinf(v)) {                                                    \
                atomicAdd(bad, 1ull);                                                      \
                out[i] = 0;                                                                \
            } else if (v >= 0x1p63 || v < -0x1p63) {                                       \
                out[i] = I64_MIN;                                                          \
            } else {                                                                       \
                out[i] = (long long)v;                                                     \
            }                                                                              \
        }                                                                                  \
    }

CONVERT(float, f32, double, f64, (double)x)
FLOAT_TO_I64(float, f32, x)
CONVERT(float, f32, bool, bool, x != 0.0f)
CONVERT(float, f32, half_bits, f16, f32_to_f16(x))
CONVERT(float, f32, half_bits, bf16, f32_to_bf16(x))

CONVERT(double, f64, float, f32, (float)x)
FLOAT_TO_I64(double, f64, x)
CONVERT(double, f64, bool, bool, x != 0.0)
CONVERT(double, f64, half_bits, f16, f64_to_f16(x))
CONVERT(double, f64, half_bits, bf16, f32_to_bf16(f64_to_f32_odd(x)))

CONVERT(long long, i64, float, f32, (float)x)
CONVERT(long long, i64, double, f64, (double)x)
CONVERT(long long, i64, bool, bool, x != 0)
CONVERT(long long, i64, half_bits, f16, f32_to_f16((float)x))
CONVERT(long long, i64, half_bits, bf16, f32_to_bf16(f64_to_f32_odd((double)x)))

CONVERT(bool, bool, float, f32, x ? 1.0f : 0.0f)
CONVERT(bool, bool, double, f64, x ? 1.0 : 0.0)
CONVERT(bool, bool, long long, i64, x ? 1ll : 0ll)
CONVERT(bool, bool, half_bits, f16, (half_bits)(x ? 0x3c00u : 0u))
CONVERT(bool, bool, half_bits, bf16, (half_bits)(x ? 0x3f80u : 0u))

CONVERT(half_bits, f16, float, f32, f16_to_f32(x))
CONVERT(half_bits, f16, double, f64, (double)f16_to_f32(x))
FLOAT_TO_I64(half_bits, f16, f16_to_f32(x))
CONVERT(half_bits, f16, bool, bool, (x & 0x7fffu) != 0)
CONVERT(half_bits, f16, half_bits, bf16, f32_to_bf16(f16_to_f32(x)))

CONVERT(half_bits, bf16, float, f32, bf16_to_f32(x))
CONVERT(half_bits, bf16, double, f64, (double)bf16_to_f32(x))
FLOAT_TO_I64(half_bits, bf16, bf16_to_f32(x))
CONVERT(half_bits, bf16, bool, bool, (x & 0x7fffu) != 0)
CONVERT(half_bits, bf16, half_bits, f16, f32_to_f16(bf16_to_f32(x)))
