"""stack: tensors of one shape joined along a new axis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from dfdx_py.autograd.tape import record
from dfdx_py.errors import ShapeError, shapes_differ
from dfdx_py.ops.concat import as_tensor_list
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import fmt_shape
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor


class StackKernel(Protocol):
    """Forward stacks ``xs`` along a new ``axis``; backward returns ``grad_y``'s slice
    ``i`` along ``axis`` for each needed input ``i`` (``None`` for the others)."""

    def forward(self, xs: Sequence[Any], axis: int) -> Any: ...

    def backward(self, grad_y: Any, axis: int, needs: Sequence[bool]) -> list[Any]: ...


STACK = Op[StackKernel]("stack", __name__)


def stack(tensors: Sequence[Tensor[Any, E, D]], axis: int = 0) -> Tensor[Any, E, D]:
    """The tensors (all of one shape) stacked along a new ``axis`` of size ``len(tensors)``;
    ``axis`` is in ``range(-ndim - 1, ndim + 1)``. PyTorch: ``torch.stack(tensors, dim=axis)``::

        >>> a, b = dev.zeros((2, 3)), dev.ones((2, 3))
        >>> dfdx.stack([a, b]).shape, dfdx.stack([a, b], axis=-1).shape
        ((2, 2, 3), (2, 3, 2))

    ``ShapeError`` names both shapes when they differ; mixed dtypes raise ``DTypeError``,
    tensors of two devices ``DeviceError``. The gradient of input ``i`` is ``grad_y``'s slice
    ``i`` along ``axis``.
    """
    from dfdx_py.tensor import wrap

    xs = as_tensor_list("stack", tensors)
    first = xs[0].shape
    for i, t in enumerate(xs[1:], 1):
        if t.shape != first:
            raise shapes_differ("stack", first, t.shape, f"tensor 0 vs tensor {i}")
    ndim = len(first) + 1
    if (
        isinstance(axis, (bool, np.bool_))
        or not isinstance(axis, (int, np.integer))
        or not (-ndim <= axis < ndim)
    ):
        raise ShapeError(
            f"stack: axis {axis!r} is out of range for stacking tensors of shape "
            f"{fmt_shape(first)}: the new axis must be in range({-ndim}, {ndim})"
        )
    ax = int(axis) + ndim if axis < 0 else int(axis)
    device = xs[0].device
    kernel = STACK.kernel(device)
    out = wrap(kernel.forward([t._data for t in xs], ax), xs[0].dtype, device)
    if any(t._tape is not None for t in xs):
        record(out, xs, lambda grad_y, needs: kernel.backward(grad_y, ax, needs))
    return out
