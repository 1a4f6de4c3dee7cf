"""relu: ``max(x, 0)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

RELU = UnaryOp("relu", __name__, ints=True)


def relu(x: Tensor[S, E, D]) -> Tensor[S, E, D]:
    """Rectified linear unit, ``max(x, 0)`` elementwise. PyTorch: ``torch.relu(x)``.

    The gradient is 1 where ``x > 0`` and 0 elsewhere (0 at 0, as in PyTorch)::

        >>> dev.tensor([-1.0, 0.0, 2.0]).relu().numpy()
        array([0., 0., 2.], dtype=float32)
    """
    return unary(RELU, x)
