"""add: ``a + b`` for two tensors of one shape, or a tensor and a Python scalar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfdx_py.ops.elementwise import (
    BinaryOp,
    UnaryOp,
    binary,
    is_tensor,
    scalar_param,
    unary,
)
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

ADD = BinaryOp("add", __name__, ints=True)
SCALAR_ADD = UnaryOp("scalar_add", __name__, ints=True)


def add(a: Tensor[S, E, D], b: Tensor[Any, E, D] | float) -> Tensor[S, E, D]:
    """``a + b`` elementwise; ``b`` is a tensor of ``a``'s shape or a scalar.
    PyTorch: ``torch.add(a, b)`` (but never broadcasting: ``(N, 1) + (N,)`` raises
    ``ShapeError``; use ``broadcast_to``)::

        >>> (dev.tensor([1.0, 2.0]) + dev.tensor([10.0, 20.0])).numpy()
        array([11., 22.], dtype=float32)
    """
    if is_tensor(b):
        return binary(ADD, a, b)  # type: ignore[arg-type]
    return unary(SCALAR_ADD, a, scalar_param("add", a, b))
