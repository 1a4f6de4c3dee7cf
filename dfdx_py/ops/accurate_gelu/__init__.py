"""accurate_gelu: GeLU in its exact form ``x Φ(x)``, through the error function."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

ACCURATE_GELU = UnaryOp("accurate_gelu", __name__)


def accurate_gelu(x: Tensor[S, E, D]) -> Tensor[S, E, D]:
    """GeLU in its exact form, ``x Φ(x) = 0.5 x (1 + erf(x / √2))`` elementwise.
    PyTorch: ``torch.nn.functional.gelu(x)`` (``approximate="none"``).

    The gradient is ``Φ(x) + x φ(x)`` with ``φ`` the standard normal density.
    ``gelu``/``fast_gelu`` is the cheaper tanh approximation::

        >>> dev.tensor([-1.0, 0.0, 1.0]).accurate_gelu().numpy()
        array([-0.15865526,  0.        ,  0.8413448 ], dtype=float32)
    """
    return unary(ACCURATE_GELU, x)
