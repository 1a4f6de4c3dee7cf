"""var: the biased variance over some axes, removing them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfdx_py.ops.reduction import Axes, ReduceOp, reduce
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

VAR = ReduceOp("var", __name__)


def var(x: Tensor[Any, E, D], axis: Axes = None) -> Tensor[Any, E, D]:
    """The biased variance ``mean((x - mean(x))²)`` over ``axis`` (every axis when ``None``;
    negative axes and tuples allowed), with the reduced axes removed, as in dfdx.
    PyTorch: ``torch.var(x, dim=axis, unbiased=False)`` (``correction=0``).

    Computed in two passes (the mean first), so a large offset does not cancel the result.
    The gradient is ``2 (x - mean) / n * grad_y``. The variance of no element is NaN::

        >>> dev.tensor([[1.0, 3.0], [2.0, 2.0]]).var(axis=1).numpy()
        array([1., 0.], dtype=float32)
    """
    return reduce(VAR, x, axis)
