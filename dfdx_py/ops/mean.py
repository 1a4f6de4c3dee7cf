"""mean: the mean over some axes, removing them (a composite: ``sum`` scaled by ``1/n``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfdx_py.dtypes import f32, is_half
from dfdx_py.errors import DTypeError
from dfdx_py.ops.reduction import Axes
from dfdx_py.shapes import normalize_axes
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor


def mean(x: Tensor[Any, E, D], axis: Axes = None) -> Tensor[Any, E, D]:
    """The mean over ``axis`` (every axis when ``None``; negative axes and tuples allowed),
    with the reduced axes removed. PyTorch: ``torch.mean(x, dim=axis)``. Float tensors
    only (as in PyTorch); the mean of no element is NaN.

    It is ``x.sum(axis) * (1 / n)``, so the gradient is ``grad_y / n`` broadcast back (for
    f16, bf16 and AMP computed in f32 and rounded once)::

        >>> dev.tensor([[1.0, 2.0], [3.0, 4.0]]).mean(axis=0).numpy()
        array([2., 3.], dtype=float32)
    """
    if not x.dtype.is_float:
        raise DTypeError(f"mean: not defined for {x.dtype} tensors (float tensors only)")
    axes = normalize_axes("mean", axis, x.shape)
    n = 1
    for a in axes:
        n *= x.shape[a]
    if n and is_half(x.dtype):  # the f32 mean rounded once (not the sum, then the product)
        half: Any = x.dtype
        return (x.to_dtype(f32).sum(axes) * (1.0 / n)).to_dtype(half)
    return x.sum(axes) * (1.0 / n if n else float("nan"))
