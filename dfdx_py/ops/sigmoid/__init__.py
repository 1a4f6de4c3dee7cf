"""sigmoid: 1 / (1 + e^-x)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

SIGMOID = UnaryOp("sigmoid", __name__)


def sigmoid(x: Tensor[S, E, D]) -> Tensor[S, E, D]:
    """The logistic sigmoid ``1 / (1 + e^-x)`` elementwise. PyTorch: ``torch.sigmoid(x)``.

    Computed without overflow for any ``x``. The gradient is ``y (1 - y)`` with ``y`` the
    output::

        >>> dev.tensor([0.0, 2.0]).sigmoid().numpy()
        array([0.5     , 0.880797], dtype=float32)
    """
    return unary(SIGMOID, x)
