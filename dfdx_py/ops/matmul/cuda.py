"""matmul on the Cuda device: one cuBLAS GEMM per product, no kernels of its own.

Every form is a stack of row-major matrices ``(batch, M, K) @ (batch, K, N)`` seen through
free reshapes: a vector is a matrix of one row (``(K,)``) or one column (``(K,)`` on the
right), ``(B, M, K) @ (K, N)`` is one GEMM over ``B*M`` rows, and the batched forms are one
strided-batched GEMM. The backward pass is two more GEMMs that read the operands transposed
through cuBLAS's transpose flags (no copies); a side that needs no gradient is skipped.
f16 and bf16 products are summed in f32 on tensor cores (``cublasGemmEx``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from dfdx_py.devices.cuda.context import HALF, suffix
from dfdx_py.devices.cuda.storage import CudaArray
from dfdx_py.ops.matmul import MATMUL, matmul_shape
from dfdx_py.ops.slice.cuda import zeros


def gemm(
    a: CudaArray,
    b: CudaArray,
    trans_a: bool = False,
    trans_b: bool = False,
    f32_out: bool = False,
) -> CudaArray:
    """``op(a[i]) @ op(b[i])`` for each ``i`` of two stacks of matrices (3-D storage
    ``(batch, rows, cols)``; ``op`` transposes where asked): new storage ``(batch, M, N)``,
    of the operands' dtype, or in f32 for f16 and bf16 operands with ``f32_out`` (the
    kernels' compute type, for a result that is summed further).

    One cuBLAS call: a GEMM, or a strided-batched GEMM when ``batch > 1``. An empty product
    launches nothing; an empty inner dim gives zeros.
    """
    batch, m, k = (a.shape[0], a.shape[2], a.shape[1]) if trans_a else a.shape
    n = b.shape[1] if trans_b else b.shape[2]
    dtype = suffix(a.dtype)  # f16, bf16, f32 or f64 (the op accepts float dtypes only)
    out_dtype = np.dtype(np.float32) if f32_out and a.dtype in HALF else a.dtype
    if k == 0:
        out: CudaArray = zeros(a.ctx, (batch, m, n), out_dtype)
        return out
    out = a.ctx.empty((batch, m, n), out_dtype)
    if out.size:
        a.ctx.cublas.gemm(
            dtype, m, n, k, a.ptr, trans_a, b.ptr, trans_b, out.ptr,
            batch=batch, stride_a=m * k, stride_b=k * n, stride_c=m * n,
            c_dtype=suffix(out_dtype),
        )  # fmt: skip
    return out


def _as_stacks(sa: tuple[int, ...], sb: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The operand shapes of a checked form as stacks ``(batch, M, K)`` and ``(batch, K, N)``."""
    if len(sa) == 1:  # (K,) @ (K, N): one row
        return (1, 1, sa[0]), (1, *sb)
    if len(sb) == 1:  # (M, K) @ (K,): one column
        return (1, *sa), (1, sb[0], 1)
    if len(sb) == 2:  # (M, K) @ (K, N) and (B, M, K) @ (K, N): the batch folded into the rows
        return (1, math.prod(sa[:-1]), sa[-1]), (1, *sb)
    batch = math.prod(sa[:-2])  # (B, M, K) @ (B, K, N) and (B, S, M, K) @ (B, S, K, N)
    return (batch, *sa[-2:]), (batch, *sb[-2:])


@MATMUL.register("cuda")
class MatmulCuda:
    def forward(self, a: CudaArray, b: CudaArray) -> CudaArray:
        sa, sb = _as_stacks(a.shape, b.shape)
        return gemm(a.reshape(sa), b.reshape(sb)).reshape(matmul_shape(a.shape, b.shape))

    def backward(
        self, a: CudaArray, b: CudaArray, grad_y: CudaArray, needs: Sequence[bool]
    ) -> tuple[CudaArray | None, CudaArray | None]:
        sa, sb = _as_stacks(a.shape, b.shape)
        a3 = a.reshape(sa)
        b3 = b.reshape(sb)
        g3 = grad_y.reshape((sa[0], sa[1], sb[2]))
        grad_a = grad_b = None
        if needs[0]:  # grad_a = grad_y @ b^T
            grad_a = gemm(g3, b3, trans_b=True).reshape(a.shape)
        if needs[1]:  # grad_b = a^T @ grad_y (summed over the folded batch by the GEMM)
            grad_b = gemm(a3, g3, trans_a=True).reshape(b.shape)
        return grad_a, grad_b
