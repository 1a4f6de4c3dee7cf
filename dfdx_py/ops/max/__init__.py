"""max: the maximum over some axes, removing them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfdx_py.errors import ShapeError
from dfdx_py.ops.reduction import Axes, ReduceOp, reduce
from dfdx_py.shapes import fmt_shape, normalize_axes
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

MAX = ReduceOp("max", __name__, ints=True)


def check_not_empty(op: str, x: Tensor[Any, Any, Any], axis: Axes) -> None:
    """``ShapeError`` when the reduction over ``axis`` would combine no element at all."""
    axes = normalize_axes(op, axis, x.shape)
    if any(x.shape[a] == 0 for a in axes):
        raise ShapeError(
            f"{op}: cannot reduce over an empty axis: shape {fmt_shape(x.shape)}, "
            f"axes {axes} (the {op} of no element is undefined)"
        )


def max(x: Tensor[Any, E, D], axis: Axes = None) -> Tensor[Any, E, D]:
    """The maximum over ``axis`` (every axis when ``None``; negative axes and tuples
    allowed), with the reduced axes removed. PyTorch: ``torch.amax(x, dim=axis)``.
    Works on ``i64`` too; a NaN anywhere in a reduction makes its result NaN.

    The gradient follows dfdx: ``grad_y`` goes, in full, to *every* element equal to the
    maximum (``grad_x = (x == y) * grad_y`` broadcast back). With ties this differs from
    ``torch.amax``, which splits ``grad_y`` evenly between the tied elements::

        >>> dev.tensor([[1.0, 5.0], [7.0, 2.0]]).max(axis=1).numpy()
        array([5., 7.], dtype=float32)

    Reducing over an axis of size 0 raises ``ShapeError``.
    """
    check_not_empty("max", x, axis)
    return reduce(MAX, x, axis)
