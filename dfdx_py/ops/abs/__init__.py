"""abs: |x|."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

ABS = UnaryOp("abs", __name__, ints=True)


def abs(x: Tensor[S, E, D]) -> Tensor[S, E, D]:
    """Absolute value ``|x|`` elementwise. PyTorch: ``torch.abs(x)``.

    Also defined for ``i64`` tensors. The gradient is ``sign(x)`` (0 at 0, as in PyTorch)::

        >>> dev.tensor([-1.5, 0.0, 2.0]).abs().numpy()
        array([1.5, 0. , 2. ], dtype=float32)
    """
    return unary(ABS, x)
