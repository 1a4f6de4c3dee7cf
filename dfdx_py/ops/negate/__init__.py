"""negate: -x."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

NEGATE = UnaryOp("negate", __name__, ints=True)


def negate(x: Tensor[S, E, D]) -> Tensor[S, E, D]:
    """``-x`` elementwise; also the ``-x`` operator. PyTorch: ``torch.neg(x)``.

    Also defined for ``i64`` tensors. The gradient is ``-1``::

        >>> (-dev.tensor([1.0, -2.0])).numpy()
        array([-1.,  2.], dtype=float32)
    """
    return unary(NEGATE, x)
