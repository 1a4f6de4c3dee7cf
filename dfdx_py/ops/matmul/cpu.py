"""matmul on the Cpu: numpy's BLAS on contiguous operands.

A 2-D operand may be C- or Fortran-contiguous (a transposed view goes to BLAS as is, with
its transpose flag); anything else (a broadcast gradient, a permuted batch) is copied first,
since numpy's matmul falls back to a slow loop on operands BLAS cannot read. f16 and bf16
are multiplied in f32 (BLAS) and rounded once.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np

from dfdx_py.ops.cpu_common import in_f32
from dfdx_py.ops.matmul import MATMUL

Array = np.ndarray[Any, Any]


def blas_operand(x: Array) -> Array:
    """``x`` as an operand BLAS reads without a copy (copied only when it must be)."""
    flags = x.flags
    if flags.c_contiguous or (x.ndim == 2 and flags.f_contiguous):
        return x
    return np.ascontiguousarray(x)


def _forward(a: Array, b: Array) -> Array:
    a = blas_operand(a)
    b = blas_operand(b)
    if a.ndim == 3 and b.ndim == 2:  # (B, M, K) @ (K, N): one GEMM over B*M rows
        batch, m, k = a.shape
        y: Array = np.matmul(a.reshape(batch * m, k), b)
        return y.reshape(batch, m, b.shape[1])
    out: Array = np.matmul(a, b)
    return out


def _backward(
    a: Array, b: Array, g: Array, needs: Sequence[bool]
) -> tuple[Array | None, Array | None]:
    g = blas_operand(g)
    ra = a.ndim
    rb = b.ndim
    grad_a = grad_b = None
    if ra == 1:  # (K,) @ (K, N) -> (N,)
        if needs[0]:
            grad_a = np.matmul(blas_operand(b), g)
        if needs[1]:
            grad_b = np.outer(a, g)
    elif rb == 1:  # (M, K) @ (K,) -> (M,)
        if needs[0]:
            grad_a = np.outer(g, b)
        if needs[1]:
            grad_b = np.matmul(g, blas_operand(a))
    elif ra == 3 and rb == 2:  # (B, M, K) @ (K, N): fold the batch into the rows
        k = a.shape[2]
        n = b.shape[1]
        g2 = g.reshape(-1, n)
        if needs[0]:
            grad_a = np.matmul(g2, blas_operand(b).T).reshape(a.shape)
        if needs[1]:
            grad_b = np.matmul(blas_operand(a).reshape(-1, k).T, g2)
    else:  # (M, K) @ (K, N) and the batched forms
        if needs[0]:
            grad_a = np.matmul(g, np.swapaxes(blas_operand(b), -1, -2))
        if needs[1]:
            grad_b = np.matmul(np.swapaxes(blas_operand(a), -1, -2), g)
    return grad_a, grad_b


@MATMUL.register("cpu")
class MatmulCpu:
    def forward(self, a: Array, b: Array) -> Array:
        if a.itemsize == 2:  # f16/bf16: BLAS in f32, rounded once
            return in_f32(self.forward, a, b)
        return _forward(a, b)

    def backward(
        self, a: Array, b: Array, grad_y: Array, needs: Sequence[bool]
    ) -> tuple[Array | None, Array | None]:
        if a.itemsize == 2:
            return in_f32(self.backward, a, b, grad_y, needs)
        return _backward(a, b, grad_y, needs)
