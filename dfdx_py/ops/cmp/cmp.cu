// The comparisons eq ne gt ge lt le: bool outputs (1 byte, like numpy's bool_).
//   <op>_fwd_SUFFIX(n, lhs, rhs, out)        two arrays of one shape
//   <op>_scalar_SUFFIX(n, p, inp, out)       an array and a scalar p of its dtype (in f32
//                                            for f16 and bf16, which compare in f32)
//   <op>_scalar_i64_f64(n, p, inp, out)      an i64 array and a float scalar: as NumPy, the
//                                            integers are converted to f64 and compared
// NaN compares as in IEEE 754: every comparison with NaN is false except ne.
#include "kernel_macros.cuh"

#define CMP(T, SUFFIX, NAME, OP)                                                           \
    extern "C" __global__ void NAME##_fwd_##SUFFIX(const size_t n, const T *lhs,            \
                                                   const T *rhs, bool *out) {              \
        GRID_STRIDE(i, n) { out[i] = to_compute(lhs[i]) OP to_compute(rhs[i]); }           \
    }                                                                                      \
    extern "C" __global__ void NAME##_scalar_##SUFFIX(const size_t n, const compute_t<T> p, \
                                                      const T *inp, bool *out) {           \
        GRID_STRIDE(i, n) { out[i] = to_compute(inp[i]) OP p; }                            \
    }

#define CMP_I64_F64(NAME, OP)                                                              \
    extern "C" __global__ void NAME##_scalar_i64_f64(const size_t n, const double p,        \
                                                     const long long *inp, bool *out) {    \
        GRID_STRIDE(i, n) { out[i] = (double)inp[i] OP p; }                                \
    }

// every comparison of the numeric dtypes; eq and ne of bool too
#define CMP_NUMBERS(NAME, OP)                                                              \
    F32_HALVES(CMP, NAME, OP)                                                              \
    CMP(double, f64, NAME, OP)                                                             \
    CMP(long long, i64, NAME, OP)                                                          \
    CMP_I64_F64(NAME, OP)

CMP_NUMBERS(eq, ==)
CMP_NUMBERS(ne, !=)
CMP_NUMBERS(gt, >)
CMP_NUMBERS(ge, >=)
CMP_NUMBERS(lt, <)
CMP_NUMBERS(le, <=)
CMP(bool, bool, eq, ==)
CMP(bool, bool, ne, !=)
