"""tanh: tanh x."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

TANH = UnaryOp("tanh", __name__)


def tanh(x: Tensor[S, E, D]) -> Tensor[S, E, D]:
    """Hyperbolic tangent ``tanh x`` elementwise. PyTorch: ``torch.tanh(x)``.

    The gradient is ``1 - tanh²x``, computed from the output::

        >>> dev.tensor([0.0, 1.0]).tanh().numpy()
        array([0.       , 0.7615942], dtype=float32)
    """
    return unary(TANH, x)
