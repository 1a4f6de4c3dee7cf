"""ln: the natural logarithm."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

LN = UnaryOp("ln", __name__)


def ln(x: Tensor[S, E, D]) -> Tensor[S, E, D]:
    """Natural logarithm ``ln x`` elementwise. PyTorch: ``torch.log(x)``.

    ``ln 0 = -inf`` and ``ln x = nan`` for ``x < 0``, silently as in PyTorch. The gradient
    is ``1/x``::

        >>> dev.tensor([1.0, 4.0]).ln().numpy()
        array([0.       , 1.3862944], dtype=float32)
    """
    return unary(LN, x)
