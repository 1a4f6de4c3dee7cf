"""min: the minimum over some axes, removing them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfdx_py.ops.max import check_not_empty
from dfdx_py.ops.reduction import Axes, ReduceOp, reduce
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

MIN = ReduceOp("min", __name__, ints=True)


def min(x: Tensor[Any, E, D], axis: Axes = None) -> Tensor[Any, E, D]:
    """The minimum over ``axis`` (every axis when ``None``; negative axes and tuples
    allowed), with the reduced axes removed. PyTorch: ``torch.amin(x, dim=axis)``.
    Works on ``i64`` too; a NaN anywhere in a reduction makes its result NaN.

    The gradient follows dfdx: ``grad_y`` goes, in full, to *every* element equal to the
    minimum (``grad_x = (x == y) * grad_y`` broadcast back). With ties this differs from
    ``torch.amin``, which splits ``grad_y`` evenly between the tied elements::

        >>> dev.tensor([[1.0, 5.0], [7.0, 2.0]]).min(axis=1).numpy()
        array([1., 2.], dtype=float32)

    Reducing over an axis of size 0 raises ``ShapeError``.
    """
    check_not_empty("min", x, axis)
    return reduce(MIN, x, axis)
