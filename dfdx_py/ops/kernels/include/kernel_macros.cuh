// Macros every .cu file of dfdx_py shares, so that an op writes only its formulas.
//
// Kernels take contiguous arrays and loop with a grid stride, so one launch of any grid size
// covers n elements. Backward kernels WRITE the input gradient (grad_inp[i] = ...); the tape
// adds it into an existing gradient when a tensor feeds several ops.
//
// Elementwise kernels move 16 bytes per load and store (VEC_N elements of T) over the bulk of
// the arrays and finish the last n % VEC_N elements one by one. Every array starts at an
// allocator block (256-byte aligned), so the vector accesses are aligned.
//
// Half precision (__half: f16, __nv_bfloat16: bf16) is a storage format only: a kernel loads
// each value into its compute type (compute_t<T>: float for f16, bf16 and f32, double for
// f64), runs the f32 formula and rounds once when it stores (from_compute<T>). Scalar
// parameters come in the compute type (f32 for the half kernels), and sums, means and
// maxima accumulate in it. The backward kernels of elementwise ops recompute the output y of
// a half type in f32 from the input rather than load its stored, rounded value, whose lost
// precision formulas such as 1 - y² would magnify (the Cpu does the same). No implicit
// conversions or operators of the half types are used (they are switched off), so the
// emulator's host shim of the types (tests/cuda_emulator) needs only the conversion
// functions.
#pragma once
#include <cstddef>

#ifndef DFDX_EMULATOR
#define __CUDA_NO_HALF_CONVERSIONS__
#define __CUDA_NO_HALF_OPERATORS__
#define __CUDA_NO_BFLOAT16_CONVERSIONS__
#define __CUDA_NO_BFLOAT16_OPERATORS__
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#endif

// The type a kernel computes in for storage type T.
template <typename T> struct Compute { typedef T type; };
template <> struct Compute<__half> { typedef float type; };
template <> struct Compute<__nv_bfloat16> { typedef float type; };
template <typename T> using compute_t = typename Compute<T>::type;

// A stored value in its compute type, and a computed value rounded (to nearest even) for
// storage as T.
template <typename T> __device__ __forceinline__ T to_compute(const T x) { return x; }
__device__ __forceinline__ float to_compute(const __half x) { return __half2float(x); }
__device__ __forceinline__ float to_compute(const __nv_bfloat16 x) { return __bfloat162float(x); }

template <typename T> __device__ __forceinline__ T from_compute(const compute_t<T> x) { return x; }
template <> __device__ __forceinline__ __half from_compute<__half>(const float x) {
    return __float2half_rn(x);
}
template <> __device__ __forceinline__ __nv_bfloat16 from_compute<__nv_bfloat16>(const float x) {
    return __float2bfloat16_rn(x);
}

template <typename T> constexpr bool is_half = false;
template <> constexpr bool is_half<__half> = true;
template <> constexpr bool is_half<__nv_bfloat16> = true;

// The output y in a backward kernel: STORED (its stored value) loaded, or for the half types
// FWD (an expression in x, p0, p1 or a, b) recomputed in f32.
#define OUTPUT(T, FWD, STORED) (is_half<T> ? compute_t<T>(FWD) : to_compute(STORED))

// OP(T, SUFFIX, ...) for f32 and for the half types, which compute with the same f32 formula:
// F32_HALVES(UNARY_OP, exp, expf(x), y) makes exp_fwd_f32, exp_fwd_f16, exp_fwd_bf16, ...
#define F32_HALVES(OP, ...)                                                                \
    OP(float, f32, __VA_ARGS__)                                                            \
    OP(__half, f16, __VA_ARGS__)                                                           \
    OP(__nv_bfloat16, bf16, __VA_ARGS__)

// The same for a macro OP(T, SUFFIX) of no other arguments.
#define F32_HALVES_T(OP) OP(float, f32) OP(__half, f16) OP(__nv_bfloat16, bf16)

#define GRID_STRIDE(i, n)                                                                  \
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < (n);                \
         i += (size_t)blockDim.x * gridDim.x)

// Lanes of a 16-byte vector of T (1: no vector access for that type).
template <typename T> struct VecLanes { static const int n = 1; };
template <> struct VecLanes<float> { static const int n = 4; };
template <> struct VecLanes<double> { static const int n = 2; };
template <> struct VecLanes<long long> { static const int n = 2; };
template <> struct VecLanes<__half> { static const int n = 8; };
template <> struct VecLanes<__nv_bfloat16> { static const int n = 8; };

// Storage for VEC_N lanes with 16-byte alignment, loaded and stored in one access.
template <typename T> struct alignas(16) Lanes { T v[VecLanes<T>::n]; };

template <typename T> __device__ __forceinline__ Lanes<T> load_lanes(const T *p, size_t k) {
    return reinterpret_cast<const Lanes<T> *>(p)[k];
}
template <typename T> __device__ __forceinline__ void store_lanes(T *p, size_t k, const Lanes<T> &x) {
    reinterpret_cast<Lanes<T> *>(p)[k] = x;
}

// Run BODY(i) for i in [0, n) with each thread taking whole vectors: LOAD(k) / STORE(k) use
// lane vectors; the tail is done element by element. BODY sees `l` (the lane) in vector mode.
#define VEC_LOOP(T, n, VECTOR_BODY, SCALAR_BODY)                                           \
    {                                                                                      \
        const int VN = VecLanes<T>::n;                                                     \
        const size_t nv = (VN > 1) ? (n) / VN : 0;                                         \
        GRID_STRIDE(k, nv) { VECTOR_BODY }                                                 \
        const size_t start = nv * VN;                                                      \
        GRID_STRIDE(j, (n) - start) {                                                      \
            const size_t i = start + j;                                                    \
            SCALAR_BODY                                                                    \
        }                                                                                  \
    }

// A unary op with up to two scalar parameters p0, p1 (unused ones are ignored).
// FWD is an expression in x, p0, p1; GRAD (the input's gradient) an expression in x, y (the
// output), g (the output's gradient), p0, p1; all of them in compute_t<T>.
//   name_fwd_SUFFIX(n, p0, p1, inp, out)
//   name_bwd_SUFFIX(n, p0, p1, inp, out, grad_out, grad_inp)
#define UNARY_OP_GRAD(T, SUFFIX, NAME, FWD, GRAD)                                          \
    extern "C" __global__ void NAME##_fwd_##SUFFIX(                                        \
        const size_t n, const compute_t<T> p0, const compute_t<T> p1,                      \
        const T *__restrict__ inp, T *__restrict__ out) {                                  \
        VEC_LOOP(T, n,                                                                     \
            const Lanes<T> xs = load_lanes(inp, k);                                        \
            Lanes<T> ys;                                                                   \
            _Pragma("unroll") for (int l = 0; l < VN; l++) {                              \
                const compute_t<T> x = to_compute(xs.v[l]);                                \
                ys.v[l] = from_compute<T>(FWD);                                            \
            }                                                                              \
            store_lanes(out, k, ys);,                                                      \
            const compute_t<T> x = to_compute(inp[i]);                                     \
            out[i] = from_compute<T>(FWD);)                                                \
    }                                                                                      \
    extern "C" __global__ void NAME##_bwd_##SUFFIX(                                        \
        const size_t n, const compute_t<T> p0, const compute_t<T> p1, const T *inp,        \
        const T *out, const T *grad_out, T *grad_inp) {                                    \
        VEC_LOOP(T, n,                                                                     \
            const Lanes<T> xs = load_lanes(inp, k);                                        \
            const Lanes<T> yv = is_half<T> ? Lanes<T>() : load_lanes(out, k);              \
            const Lanes<T> gs = load_lanes(grad_out, k);                                   \
            Lanes<T> r;                                                                    \
            _Pragma("unroll") for (int l = 0; l < VN; l++) {                              \
                const compute_t<T> x = to_compute(xs.v[l]);                                \
                const compute_t<T> y = OUTPUT(T, FWD, yv.v[l]);                            \
                const compute_t<T> g = to_compute(gs.v[l]);                                \
                (void)x; (void)y; /* a formula may use only one of them */                 \
                r.v[l] = from_compute<T>(GRAD);                                            \
            }                                                                              \
            store_lanes(grad_inp, k, r);,                                                  \
            const compute_t<T> x = to_compute(inp[i]);                                     \
            const compute_t<T> y = OUTPUT(T, FWD, out[i]);                                 \
            const compute_t<T> g = to_compute(grad_out[i]);                                \
            (void)x; (void)y;                                                              \
            grad_inp[i] = from_compute<T>(GRAD);)                                          \
    }

// The common case: GRAD = DFDX * g, with DFDX (dy/dx) an expression in x, y, p0, p1.
#define UNARY_OP(T, SUFFIX, NAME, FWD, DFDX) UNARY_OP_GRAD(T, SUFFIX, NAME, FWD, (DFDX) * g)

// A unary op that runs forward only (integer variants, comparisons with a scalar, and ops
// whose backward kernel is written out).
#define UNARY_FWD(T, SUFFIX, NAME, FWD)                                                    \
    extern "C" __global__ void NAME##_fwd_##SUFFIX(                                        \
        const size_t n, const compute_t<T> p0, const compute_t<T> p1,                      \
        const T *__restrict__ inp, T *__restrict__ out) {                                  \
        GRID_STRIDE(i, n) {                                                                \
            const compute_t<T> x = to_compute(inp[i]);                                     \
            out[i] = from_compute<T>(FWD);                                                 \
        }                                                                                  \
    }

// The backward kernel of a unary op written as GRAD, an expression in x, y, g, p0, p1, for
// ops whose forward kernel is UNARY_FWD. FWD recomputes y for the half types (see OUTPUT);
// a GRAD that does not use y passes x.
#define UNARY_BWD(T, SUFFIX, NAME, FWD, GRAD)                                              \
    extern "C" __global__ void NAME##_bwd_##SUFFIX(                                        \
        const size_t n, const compute_t<T> p0, const compute_t<T> p1, const T *inp,        \
        const T *out, const T *grad_out, T *grad_inp) {                                    \
        GRID_STRIDE(i, n) {                                                                \
            const compute_t<T> x = to_compute(inp[i]);                                     \
            const compute_t<T> y = OUTPUT(T, FWD, out[i]);                                 \
            const compute_t<T> g = to_compute(grad_out[i]);                                \
            (void)x; (void)y; (void)p0; (void)p1;                                          \
            grad_inp[i] = from_compute<T>(GRAD);                                           \
        }                                                                                  \
    }

// A binary op on two arrays of one shape. FWD is an expression in a, b; DFDA and DFDB the
// partial derivatives, expressions in a, b, y (all in compute_t<T>). The backward kernel
// writes either gradient (a null pointer skips it).
//   name_fwd_SUFFIX(n, lhs, rhs, out)
//   name_bwd_SUFFIX(n, lhs, rhs, out, grad_out, grad_lhs, grad_rhs)
#define BINARY_OP(T, SUFFIX, NAME, FWD, DFDA, DFDB)                                        \
    extern "C" __global__ void NAME##_fwd_##SUFFIX(const size_t n,                         \
                                                   const T *__restrict__ lhs,              \
                                                   const T *__restrict__ rhs,              \
                                                   T *__restrict__ out) {                  \
        VEC_LOOP(T, n,                                                                     \
            const Lanes<T> as = load_lanes(lhs, k);                                        \
            const Lanes<T> bs = load_lanes(rhs, k);                                        \
            Lanes<T> ys;                                                                   \
            _Pragma("unroll") for (int l = 0; l < VN; l++) {                              \
                const compute_t<T> a = to_compute(as.v[l]);                                \
                const compute_t<T> b = to_compute(bs.v[l]);                                \
                ys.v[l] = from_compute<T>(FWD);                                            \
            }                                                                              \
            store_lanes(out, k, ys);,                                                      \
            const compute_t<T> a = to_compute(lhs[i]);                                     \
            const compute_t<T> b = to_compute(rhs[i]);                                     \
            out[i] = from_compute<T>(FWD);)                                                \
    }                                                                                      \
    BINARY_BWD(T, SUFFIX, NAME, FWD, (DFDA) * g, (DFDB) * g)

// The backward kernel of a binary op: GRAD_A and GRAD_B are expressions in a, b, y, g. FWD
// recomputes y for the half types (see OUTPUT); gradients that do not use y pass a.
#define BINARY_BWD(T, SUFFIX, NAME, FWD, GRAD_A, GRAD_B)                                   \
    extern "C" __global__ void NAME##_bwd_##SUFFIX(                                        \
        const size_t n, const T *lhs, const T *rhs, const T *out, const T *grad_out,       \
        T *grad_lhs, T *grad_rhs) {                                                        \
        GRID_STRIDE(i, n) {                                                                \
            const compute_t<T> a = to_compute(lhs[i]);                                     \
            const compute_t<T> b = to_compute(rhs[i]);                                     \
            const compute_t<T> y = OUTPUT(T, FWD, out[i]);                                 \
            const compute_t<T> g = to_compute(grad_out[i]);                                \
            (void)a; (void)b; (void)y; /* the gradients may use only some of them */       \
            if (grad_lhs) grad_lhs[i] = from_compute<T>(GRAD_A);                           \
            if (grad_rhs) grad_rhs[i] = from_compute<T>(GRAD_B);                           \
        }                                                                                  \
    }

// Forward only (integer dtypes, and ops whose backward kernel is written out).
#define BINARY_FWD(T, SUFFIX, NAME, FWD)                                                   \
    extern "C" __global__ void NAME##_fwd_##SUFFIX(const size_t n,                         \
                                                   const T *__restrict__ lhs,              \
                                                   const T *__restrict__ rhs,              \
                                                   T *__restrict__ out) {                  \
        GRID_STRIDE(i, n) {                                                                \
            const compute_t<T> a = to_compute(lhs[i]);                                     \
            const compute_t<T> b = to_compute(rhs[i]);                                     \
            out[i] = from_compute<T>(FWD);                                                 \
        }                                                                                  \
    }
