// Macros every .cu file of dfdx_py shares, so that an op writes only its formulas.
//
// Kernels take contiguous arrays and loop with a grid stride, so one launch of any grid size
// covers n elements. Backward kernels WRITE the input gradient (grad_inp[i] = ...); the tape
// adds it into an existing gradient when a tensor feeds several ops.
//
// Elementwise kernels move 16 bytes per load and store (VEC_N elements of T) over the bulk of
// the arrays and finish the last n % VEC_N elements one by one. Every array starts at an
// allocator block (256-byte aligned), so the vector accesses are aligned.
#pragma once
#include <cstddef>

#define GRID_STRIDE(i, n)                                                                  \
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < (n);                \
         i += (size_t)blockDim.x * gridDim.x)

// Lanes of a 16-byte vector of T (1: no vector access for that type).
template <typename T> struct VecLanes { static const int n = 1; };
template <> struct VecLanes<float> { static const int n = 4; };
template <> struct VecLanes<double> { static const int n = 2; };
template <> struct VecLanes<long long> { static const int n = 2; };

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
// output), g (the output's gradient), p0, p1.
//   name_fwd_SUFFIX(n, p0, p1, inp, out)
//   name_bwd_SUFFIX(n, p0, p1, inp, out, grad_out, grad_inp)
#define UNARY_OP_GRAD(T, SUFFIX, NAME, FWD, GRAD)                                          \
    extern "C" __global__ void NAME##_fwd_##SUFFIX(const size_t n, const T p0, const T p1,  \
                                                   const T *__restrict__ inp,              \
                                                   T *__restrict__ out) {                  \
        VEC_LOOP(T, n,                                                                     \
            const Lanes<T> xs = load_lanes(inp, k);                                        \
            Lanes<T> ys;                                                                   \
            _Pragma("unroll") for (int l = 0; l < VN; l++) {                              \
                const T x = xs.v[l];                                                       \
                ys.v[l] = (FWD);                                                           \
            }                                                                              \
            store_lanes(out, k, ys);,                                                      \
            const T x = inp[i];                                                            \
            out[i] = (FWD);)                                                               \
    }                                                                                      \
    extern "C" __global__ void NAME##_bwd_##SUFFIX(const size_t n, const T p0, const T p1,  \
                                                   const T *inp, const T *out,             \
                                                   const T *grad_out, T *grad_inp) {       \
        VEC_LOOP(T, n,                                                                     \
            const Lanes<T> xs = load_lanes(inp, k);                                        \
            const Lanes<T> yv = load_lanes(out, k);                                        \
            const Lanes<T> gs = load_lanes(grad_out, k);                                   \
            Lanes<T> r;                                                                    \
            _Pragma("unroll") for (int l = 0; l < VN; l++) {                              \
                const T x = xs.v[l];                                                       \
                const T y = yv.v[l];                                                       \
                const T g = gs.v[l];                                                       \
                (void)x; (void)y; /* a formula may use only one of them */                 \
                r.v[l] = (GRAD);                                                           \
            }                                                                              \
            store_lanes(grad_inp, k, r);,                                                  \
            const T x = inp[i];                                                            \
            const T y = out[i];                                                            \
            const T g = grad_out[i];                                                       \
            (void)x; (void)y;                                                              \
            grad_inp[i] = (GRAD);)                                                         \
    }

// The common case: GRAD = DFDX * g, with DFDX (dy/dx) an expression in x, y, p0, p1.
#define UNARY_OP(T, SUFFIX, NAME, FWD, DFDX) UNARY_OP_GRAD(T, SUFFIX, NAME, FWD, (DFDX) * g)

// A unary op that runs forward only (integer variants, comparisons with a scalar).
#define UNARY_FWD(T, SUFFIX, NAME, FWD)                                                    \
    extern "C" __global__ void NAME##_fwd_##SUFFIX(const size_t n, const T p0, const T p1,  \
                                                   const T *__restrict__ inp,              \
                                                   T *__restrict__ out) {                  \
        GRID_STRIDE(i, n) {                                                                \
            const T x = inp[i];                                                            \
            out[i] = (FWD);                                                                \
        }                                                                                  \
    }

// A binary op on two arrays of one shape. FWD is an expression in a, b; DFDA and DFDB the
// partial derivatives, expressions in a, b, y. The backward kernel writes either gradient
// (a null pointer skips it).
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
                const T a = as.v[l];                                                       \
                const T b = bs.v[l];                                                       \
                ys.v[l] = (FWD);                                                           \
            }                                                                              \
            store_lanes(out, k, ys);,                                                      \
            const T a = lhs[i];                                                            \
            const T b = rhs[i];                                                            \
            out[i] = (FWD);)                                                               \
    }                                                                                      \
    extern "C" __global__ void NAME##_bwd_##SUFFIX(                                        \
        const size_t n, const T *lhs, const T *rhs, const T *out, const T *grad_out,       \
        T *grad_lhs, T *grad_rhs) {                                                        \
        GRID_STRIDE(i, n) {                                                                \
            const T a = lhs[i];                                                            \
            const T b = rhs[i];                                                            \
            const T y = out[i];                                                            \
            const T g = grad_out[i];                                                       \
            (void)a; (void)b; (void)y; /* the partials may use only some of them */        \
            if (grad_lhs) grad_lhs[i] = (DFDA) * g;                                        \
            if (grad_rhs) grad_rhs[i] = (DFDB) * g;                                        \
        }                                                                                  \
    }

// Forward only, for integer dtypes.
#define BINARY_FWD(T, SUFFIX, NAME, FWD)                                                   \
    extern "C" __global__ void NAME##_fwd_##SUFFIX(const size_t n,                         \
                                                   const T *__restrict__ lhs,              \
                                                   const T *__restrict__ rhs,              \
                                                   T *__restrict__ out) {                  \
        GRID_STRIDE(i, n) {                                                                \
            const T a = lhs[i];                                                            \
            const T b = rhs[i];                                                            \
            out[i] = (FWD);                                                                \
        }                                                                                  \
    }
