"""recip: 1 / x."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

RECIP = UnaryOp("recip", __name__)


def recip(x: Tensor[S, E, D]) -> Tensor[S, E, D]:
    """Reciprocal ``1 / x`` elementwise. PyTorch: ``torch.reciprocal(x)``.

    ``1/0 = inf`` silently, as in PyTorch. The gradient is ``-1/x² = -y²``::

        >>> dev.tensor([2.0, -4.0]).recip().numpy()
        array([ 0.5 , -0.25], dtype=float32)
    """
    return unary(RECIP, x)
