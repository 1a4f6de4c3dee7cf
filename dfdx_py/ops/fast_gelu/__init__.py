"""fast_gelu (also ``gelu``): GeLU in its tanh form."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

FAST_GELU = UnaryOp("fast_gelu", __name__)


def fast_gelu(x: Tensor[S, E, D]) -> Tensor[S, E, D]:
    """GeLU in its tanh form, ``0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`` elementwise.
    PyTorch: ``torch.nn.functional.gelu(x, approximate="tanh")``.

    ``gelu`` is the same function; ``accurate_gelu`` is the exact (erf) form::

        >>> dev.tensor([-1.0, 0.0, 1.0]).fast_gelu().numpy()
        array([-0.158808,  0.      ,  0.841192], dtype=float32)
    """
    return unary(FAST_GELU, x)


def gelu(x: Tensor[S, E, D]) -> Tensor[S, E, D]:
    """GeLU, tanh form: the same as ``fast_gelu`` (dfdx's ``gelu``).
    PyTorch: ``torch.nn.functional.gelu(x, approximate="tanh")``::

        >>> dev.tensor([1.0]).gelu().numpy()
        array([0.841192], dtype=float32)
    """
    return unary(FAST_GELU, x)
