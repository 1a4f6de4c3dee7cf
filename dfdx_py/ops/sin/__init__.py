"""sin: sin x."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

SIN = UnaryOp("sin", __name__)


def sin(x: Tensor[S, E, D]) -> Tensor[S, E, D]:
    """Sine ``sin x`` elementwise (radians). PyTorch: ``torch.sin(x)``.

    The gradient is ``cos x``::

        >>> dev.tensor([0.0, 1.5707964]).sin().numpy()
        array([0., 1.], dtype=float32)
    """
    return unary(SIN, x)
