"""permute: the axes of a tensor reordered."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from dfdx_py.autograd.tape import record
from dfdx_py.errors import ShapeError
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import fmt_shape
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor


class PermuteKernel(Protocol):
    """``forward(x, axes)``: ``out.shape[i] == x.shape[axes[i]]`` (``axes`` a permutation of
    ``range(ndim)``, non-negative). The backward pass is ``forward`` with the inverse
    permutation, so there is no separate backward method."""

    def forward(self, x: Any, axes: tuple[int, ...]) -> Any: ...


PERMUTE = Op[PermuteKernel]("permute", __name__)


def check_permutation(op: str, axes: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    """``axes`` with negative axes made non-negative; ``ShapeError`` unless it is a
    permutation of ``range(len(shape))``."""
    ndim = len(shape)
    ok = isinstance(axes, (tuple, list)) and all(
        isinstance(a, (int, np.integer)) and not isinstance(a, (bool, np.bool_)) for a in axes
    )
    if ok:
        normal = tuple(int(a) + ndim if int(a) < 0 else int(a) for a in axes)
        if sorted(normal) == list(range(ndim)):
            return normal
    raise ShapeError(
        f"{op}: axes {axes!r} are not a permutation of range({ndim}) for shape {fmt_shape(shape)}"
    )


def inverse_permutation(axes: tuple[int, ...]) -> tuple[int, ...]:
    """The permutation undoing ``axes``."""
    inverse = [0] * len(axes)
    for i, a in enumerate(axes):
        inverse[a] = i
    return tuple(inverse)


def permute(x: Tensor[Any, E, D], axes: tuple[int, ...]) -> Tensor[Any, E, D]:
    """``x`` with its axes reordered: ``out.shape[i] == x.shape[axes[i]]``; negative axes
    count from the end. PyTorch: ``torch.permute(x, axes)``::

        >>> dev.zeros((2, 3, 4)).permute((2, 0, 1)).shape
        (4, 2, 3)

    A view on the Cpu. The gradient is ``grad_y`` permuted back by the inverse permutation.
    """
    from dfdx_py.tensor import wrap

    normal = check_permutation("permute", axes, x.shape)
    kernel = PERMUTE.kernel(x.device)
    out = wrap(kernel.forward(x._data, normal), x.dtype, x.device)
    if x._tape is not None:
        inverse = inverse_permutation(normal)
        record(out, (x,), lambda grad_y, needs: (kernel.forward(grad_y, inverse),))
    return out
