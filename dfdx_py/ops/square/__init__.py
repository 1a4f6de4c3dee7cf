"""square: x²."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

SQUARE = UnaryOp("square", __name__, ints=True)


def square(x: Tensor[S, E, D]) -> Tensor[S, E, D]:
    """``x²`` elementwise. PyTorch: ``torch.square(x)``.

    Also defined for ``i64`` tensors. The gradient is ``2x``::

        >>> dev.tensor([-3.0, 0.5]).square().numpy()
        array([9.  , 0.25], dtype=float32)
    """
    return unary(SQUARE, x)
