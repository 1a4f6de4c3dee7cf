"""roll: elements shifted along an axis, wrapping around."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from dfdx_py.autograd.tape import record
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import normalize_axis
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor


class RollKernel(Protocol):
    """``forward(x, shift, axis)``: ``out[..., (i + shift) % n, ...] = x[..., i, ...]`` along
    ``axis``. The backward pass is ``forward`` with ``-shift``."""

    def forward(self, x: Any, shift: int, axis: int) -> Any: ...


ROLL = Op[RollKernel]("roll", __name__)


def roll(x: Tensor[S, E, D], shift: int, axis: int) -> Tensor[S, E, D]:
    """The elements of ``x`` shifted by ``shift`` places along ``axis`` (negative shifts go
    the other way), those pushed off the end coming back at the start.
    PyTorch: ``torch.roll(x, shift, dims=axis)`` (``np.roll``)::

        >>> dev.tensor([1.0, 2.0, 3.0, 4.0]).roll(1, axis=0).numpy()
        array([4., 1., 2., 3.], dtype=float32)

    A bad axis raises ``ShapeError``. The gradient is ``grad_y`` rolled by ``-shift``.
    """
    from dfdx_py.tensor import wrap

    if isinstance(shift, (bool, np.bool_)) or not isinstance(shift, (int, np.integer)):
        raise TypeError(f"roll: shift must be an int, got {shift!r}")
    ax = normalize_axis("roll", axis, x.ndim, x.shape)
    size = x.shape[ax]
    n = int(shift) % size if size else 0
    kernel = ROLL.kernel(x.device)
    out = wrap(kernel.forward(x._data, n, ax), x.dtype, x.device)
    if x._tape is not None:
        back = (size - n) % size if size else 0
        record(out, (x,), lambda grad_y, needs: (kernel.forward(grad_y, back, ax),))
    return out
