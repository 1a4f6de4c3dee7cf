"""tril and triu: the lower or upper triangle of the last two axes, the rest zeroed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from dfdx_py.autograd.tape import record
from dfdx_py.errors import ShapeError
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import fmt_shape
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor


class TriKernel(Protocol):
    """``forward(x, k)`` keeps one triangle of every matrix of the last two axes
    (``j - i <= k`` for tril, ``j - i >= k`` for triu) and zeroes the rest. The backward
    pass applies the same mask to ``grad_y``: it is ``forward(grad_y, k)``."""

    def forward(self, x: Any, k: int) -> Any: ...


TRIL = Op[TriKernel]("tril", __name__)
TRIU = Op[TriKernel]("triu", __name__)


def _tri(op: Op[TriKernel], x: Tensor[S, E, D], k: int) -> Tensor[S, E, D]:
    from dfdx_py.tensor import wrap

    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"{op.name}: k must be an int, got {k!r}")
    if x.ndim < 2:
        raise ShapeError(
            f"{op.name}: needs a tensor of rank >= 2 (it works on the last two axes), "
            f"got shape {fmt_shape(x.shape)}"
        )
    kernel = op.kernel(x.device)
    diag = int(k)
    out = wrap(kernel.forward(x._data, diag), x.dtype, x.device)
    if x._tape is not None:
        record(out, (x,), lambda grad_y, needs: (kernel.forward(grad_y, diag),))
    return out


def tril(x: Tensor[S, E, D], k: int = 0) -> Tensor[S, E, D]:
    """The lower triangle of each matrix of the last two axes: ``out[..., i, j] = x[..., i, j]``
    where ``j - i <= k``, 0 elsewhere (``k > 0`` keeps diagonals above the main one).
    PyTorch: ``torch.tril(x, diagonal=k)``::

        >>> dev.ones((2, 3)).tril().numpy()
        array([[1., 0., 0.],
               [1., 1., 0.]], dtype=float32)

    Rank < 2 raises ``ShapeError``. The gradient is ``grad_y`` with the same mask.
    """
    return _tri(TRIL, x, k)


def triu(x: Tensor[S, E, D], k: int = 0) -> Tensor[S, E, D]:
    """The upper triangle of each matrix of the last two axes: ``out[..., i, j] = x[..., i, j]``
    where ``j - i >= k``, 0 elsewhere. PyTorch: ``torch.triu(x, diagonal=k)``::

        >>> dev.ones((2, 3)).triu(1).numpy()
        array([[0., 1., 1.],
               [0., 0., 1.]], dtype=float32)

    Rank < 2 raises ``ShapeError``. The gradient is ``grad_y`` with the same mask.
    """
    return _tri(TRIU, x, k)
