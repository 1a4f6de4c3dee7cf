"""sum: the sum over some axes, removing them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfdx_py.ops.reduction import Axes, ReduceOp, reduce
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

SUM = ReduceOp("sum", __name__, ints=True)


def sum(x: Tensor[Any, E, D], axis: Axes = None) -> Tensor[Any, E, D]:
    """Σ over ``axis`` (every axis when ``None``; negative axes and tuples allowed), with the
    reduced axes removed. PyTorch: ``torch.sum(x, dim=axis)``::

        >>> dev.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(axis=-1).numpy()
        array([3., 7.], dtype=float32)

    The gradient is ``grad_y`` broadcast back over the reduced axes.
    """
    return reduce(SUM, x, axis)
