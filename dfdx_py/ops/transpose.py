"""transpose: two axes swapped (a composite of ``permute``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfdx_py.ops.permute import permute
from dfdx_py.shapes import normalize_axis
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor


def transpose(x: Tensor[Any, E, D], a: int, b: int) -> Tensor[Any, E, D]:
    """``x`` with axes ``a`` and ``b`` swapped (negative axes count from the end).
    PyTorch: ``torch.transpose(x, a, b)``::

        >>> dev.zeros((2, 3, 4)).transpose(0, -1).shape
        (4, 3, 2)

    A bad axis raises ``ShapeError``. The gradient is ``grad_y`` transposed back.
    """
    ndim = x.ndim
    a = normalize_axis("transpose", a, ndim, x.shape)
    b = normalize_axis("transpose", b, ndim, x.shape)
    axes = list(range(ndim))
    axes[a], axes[b] = axes[b], axes[a]
    return permute(x, tuple(axes))
