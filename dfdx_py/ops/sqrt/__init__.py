"""sqrt: √x."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

SQRT = UnaryOp("sqrt", __name__)


def sqrt(x: Tensor[S, E, D]) -> Tensor[S, E, D]:
    """Square root ``√x`` elementwise. PyTorch: ``torch.sqrt(x)``.

    ``nan`` for ``x < 0``, silently as in PyTorch. The gradient is ``1/(2√x)`` (``inf`` at
    0)::

        >>> dev.tensor([4.0, 9.0]).sqrt().numpy()
        array([2., 3.], dtype=float32)
    """
    return unary(SQRT, x)
