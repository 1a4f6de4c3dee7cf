"""realize: a runtime check of a tensor's shape (dfdx's ``realize``); no data changes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from dfdx_py.errors import ShapeError, first_mismatch
from dfdx_py.shapes import fmt_shape
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor


def realize(x: Tensor[Any, E, D], shape: tuple[int, ...]) -> Tensor[Any, E, D]:
    """``x`` itself, after checking at run time that ``x.shape == shape``. Statically (with
    the mypy plugin) it narrows ``Dyn`` dims to the dims written, or widens ``Const`` dims
    to ``Dyn``, as dfdx's ``realize`` does. PyTorch has no equivalent (an ``assert``)::

        >>> n = 2
        >>> dev.zeros((n, 3)).realize((2, 3)).shape
        (2, 3)

    ``ShapeError`` naming both shapes when they differ. The tape is kept (``x`` is returned).
    """
    want = _as_shape(shape)
    if want != x.shape:
        raise ShapeError(
            f"realize: tensor has shape {fmt_shape(x.shape)}, expected {fmt_shape(want)}: "
            f"{first_mismatch(x.shape, want)}"
        )
    return x


def _as_shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (tuple, list)) and all(
        isinstance(d, (int, np.integer)) and not isinstance(d, (bool, np.bool_)) and d >= 0
        for d in shape
    ):
        return tuple(int(d) for d in shape)
    raise ShapeError(f"realize: a shape must be a tuple of ints >= 0, got {shape!r}")
