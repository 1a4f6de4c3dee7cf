"""exp: e^x."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

EXP = UnaryOp("exp", __name__)


def exp(x: Tensor[S, E, D]) -> Tensor[S, E, D]:
    """``e^x`` elementwise. PyTorch: ``torch.exp(x)``.

    The gradient is the output ``e^x`` itself::

        >>> dev.tensor([0.0, 1.0]).exp().numpy()
        array([1.      , 2.718282], dtype=float32)
    """
    return unary(EXP, x)
