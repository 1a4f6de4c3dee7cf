"""matmul: dfdx's six matrix-product forms, ``a @ b``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from dfdx_py.autograd.tape import record
from dfdx_py.errors import DTypeError, ShapeError
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import fmt_shape
from dfdx_py.tensor import check_same_device, wrap
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor


class MatmulKernel(Protocol):
    """What a device supplies for ``matmul``; ``a`` and ``b`` are in one of the six forms.

    ``backward`` returns ``(grad_a, grad_b)``, each of its input's shape, or ``None`` where
    ``needs`` is false. On the Cpu this is numpy's BLAS; the Cuda kernel is cuBLAS (a GEMM,
    or a strided-batched GEMM for the batched forms).
    """

    def forward(self, a: Any, b: Any) -> Any: ...

    def backward(
        self, a: Any, b: Any, grad_y: Any, needs: Sequence[bool]
    ) -> tuple[Any | None, Any | None]: ...


MATMUL = Op[MatmulKernel]("matmul", __name__)

FORMS = "(K,)@(K,N), (M,K)@(K,), (M,K)@(K,N), (B,M,K)@(K,N), (B,M,K)@(B,K,N), (B,S,M,K)@(B,S,K,N)"
"""The forms ``matmul`` accepts, as its error messages list them."""

_RANKS = frozenset({(1, 2), (2, 1), (2, 2), (3, 2), (3, 3), (4, 4)})


def matmul_shape(sa: tuple[int, ...], sb: tuple[int, ...]) -> tuple[int, ...]:
    """The output shape of ``matmul`` for operand shapes ``sa`` and ``sb``, or ``ShapeError``."""
    ra = len(sa)
    rb = len(sb)
    if (ra, rb) not in _RANKS:
        hint = "; for a dot product of two vectors use (a * b).sum()" if ra == rb == 1 else ""
        raise ShapeError(
            f"matmul: unsupported shapes {fmt_shape(sa)} @ {fmt_shape(sb)} "
            f"(rank {ra} @ rank {rb}); the forms are {FORMS}{hint}"
        )
    k_b = sb[0] if rb == 1 else sb[-2]
    if sa[-1] != k_b:
        raise ShapeError(
            f"matmul: inner dims differ: {fmt_shape(sa)} @ {fmt_shape(sb)}: {sa[-1]} != {k_b}"
        )
    if ra == rb and ra > 2:
        for axis in range(ra - 2):
            if sa[axis] != sb[axis]:
                raise ShapeError(
                    f"matmul: batch dims differ: {fmt_shape(sa)} @ {fmt_shape(sb)}: "
                    f"axis {axis}: {sa[axis]} != {sb[axis]}"
                )
    if rb == 1:
        return sa[:-1]
    return (*sa[:-1], sb[-1])


def matmul(a: Tensor[Any, E, D], b: Tensor[Any, E, D]) -> Tensor[Any, E, D]:
    """The matrix product ``a @ b`` in one of dfdx's six forms (``K`` the inner dim)::

        (K,)       @ (K, N)       -> (N,)          vector-matrix
        (M, K)     @ (K,)         -> (M,)          matrix-vector
        (M, K)     @ (K, N)       -> (M, N)
        (B, M, K)  @ (K, N)       -> (B, M, N)     batch times one matrix
        (B, M, K)  @ (B, K, N)    -> (B, M, N)     batched
        (B, S, M, K) @ (B, S, K, N) -> (B, S, M, N)

    PyTorch: ``torch.matmul(a, b)`` restricted to these forms: every other combination
    (including ``(K,) @ (K,)`` and batch dims that differ or would broadcast) raises
    ``ShapeError``. Both operands have one float dtype and one device::

        >>> a = dev.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> (a @ dev.tensor([1.0, 1.0])).numpy()
        array([3., 7.], dtype=float32)

    Gradients: ``grad_a = grad_y @ b^T`` and ``grad_b = a^T @ grad_y`` (summed over the batch
    for ``(B, M, K) @ (K, N)``).
    """
    dtype = a.dtype
    if b.dtype is not dtype:
        raise DTypeError(f"matmul: dtypes differ: {dtype} and {b.dtype}")
    if not dtype.is_float:
        raise DTypeError(f"matmul: not defined for {dtype} tensors (float dtypes only)")
    device = a.device
    if b.device is not device:
        check_same_device("matmul", (a, b))
    matmul_shape(a.shape, b.shape)
    kernel = MATMUL.kernel(device)
    a_data = a._data
    b_data = b._data
    out = wrap(kernel.forward(a_data, b_data), dtype, device)
    if a._tape is not None or b._tape is not None:
        record(out, (a, b), lambda grad_y, needs: kernel.backward(a_data, b_data, grad_y, needs))
    return out
