"""powi: ``x ** n`` for an integer exponent ``n``."""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING

import numpy as np

from dfdx_py.errors import DTypeError
from dfdx_py.ops.elementwise import UnaryOp, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

POWI = UnaryOp("powi", __name__)


def powi(x: Tensor[S, E, D], exponent: int) -> Tensor[S, E, D]:
    """``x ** n`` elementwise for an integer ``n`` (negative and 0 allowed). PyTorch:
    ``torch.pow(x, n)``.

    ``n`` must be an ``int`` (use ``powf`` for a float exponent); ``0 ** -1 = inf``
    silently. The gradient is ``n·x^(n-1)``, and 0 everywhere when ``n == 0``::

        >>> dev.tensor([2.0, -3.0]).powi(3).numpy()
        array([  8., -27.], dtype=float32)
    """
    if isinstance(exponent, (bool, np.bool_)) or not isinstance(exponent, (int, np.integer)):
        raise DTypeError(
            f"powi: the exponent must be an int, got {type(exponent).__name__} {exponent!r} "
            "(use powf for a float exponent)"
        )
    return unary(POWI, x, operator.index(exponent))
