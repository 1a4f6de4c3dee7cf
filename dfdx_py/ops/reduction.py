"""The shared machinery of reductions (``sum``, ``max``, ``min``, ``logsumexp``).

A reduction takes ``axis=None | int | tuple[int, ...]`` (negative axes allowed) and removes
the reduced axes, as dfdx does (no keepdims). A device kernel gets the normalised, sorted
axes; ``reduce`` checks them, calls the kernel and records the backward pass.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from dfdx_py.autograd.tape import record
from dfdx_py.errors import DTypeError
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import normalize_axes
from dfdx_py.tensor import Tensor, wrap

Array = np.ndarray[Any, Any]
Axes = int | tuple[int, ...] | None


class ReduceKernel(Protocol):
    """Forward reduces ``x`` over ``axes``; backward returns ``grad_x`` (of ``x``'s shape)."""

    def forward(self, x: Any, axes: tuple[int, ...]) -> Any: ...

    def backward(self, x: Any, y: Any, grad_y: Any, axes: tuple[int, ...]) -> Any: ...


class ReduceOp(Op[ReduceKernel]):
    """A reduction over some axes; ``ints`` says whether it accepts ``i64`` tensors."""

    __slots__ = ("ints",)

    def __init__(self, name: str, package: str, *, ints: bool = False) -> None:
        super().__init__(name, package)
        self.ints = ints


def reduce(op: ReduceOp, x: Tensor[Any, Any, Any], axis: Axes) -> Tensor[Any, Any, Any]:
    """Reduce ``x`` over ``axis`` with ``op``, recording the backward pass if traced."""
    dtype = x.dtype
    if not dtype.is_float and not (op.ints and dtype.__name__ == "i64"):
        raise DTypeError(f"{op.name}: not defined for {dtype} tensors")
    axes = normalize_axes(op.name, axis, x.shape)
    kernel = op.kernel(x.device)
    x_data = x._data
    y = kernel.forward(x_data, axes)
    out = wrap(y, dtype, x.device)
    if x._tape is not None:
        record(out, (x,), lambda grad_y, needs: (kernel.backward(x_data, y, grad_y, axes),))
    return out


def reduced_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` without ``axes``."""
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def expand_to(grad_y: Array, axes: tuple[int, ...], shape: tuple[int, ...]) -> Array:
    """A Cpu helper: ``grad_y`` (reduced over ``axes``) viewed back at ``shape``, no copy."""
    return np.broadcast_to(np.expand_dims(grad_y, axes), shape)
