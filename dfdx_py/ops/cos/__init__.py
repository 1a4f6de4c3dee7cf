"""cos: cos x."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

COS = UnaryOp("cos", __name__)


def cos(x: Tensor[S, E, D]) -> Tensor[S, E, D]:
    """Cosine ``cos x`` elementwise (radians). PyTorch: ``torch.cos(x)``.

    The gradient is ``-sin x``::

        >>> dev.tensor([0.0, 3.1415927]).cos().numpy()
        array([ 1., -1.], dtype=float32)
    """
    return unary(COS, x)
