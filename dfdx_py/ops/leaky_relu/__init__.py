"""leaky_relu: ``x`` where positive, ``slope·x`` elsewhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, scalar_param, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

LEAKY_RELU = UnaryOp("leaky_relu", __name__)


def leaky_relu(x: Tensor[S, E, D], slope: float = 0.01) -> Tensor[S, E, D]:
    """``x`` where ``x > 0``, ``slope·x`` elsewhere. PyTorch:
    ``torch.nn.functional.leaky_relu(x, negative_slope=slope)``.

    The gradient is 1 where ``x > 0`` and ``slope`` elsewhere (``slope`` at 0, as in
    PyTorch)::

        >>> dev.tensor([-2.0, 3.0]).leaky_relu(0.1).numpy()
        array([-0.2,  3. ], dtype=float32)
    """
    return unary(LEAKY_RELU, x, scalar_param("leaky_relu", x, slope))
