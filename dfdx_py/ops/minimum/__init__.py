"""minimum: the elementwise smaller of two tensors of one shape (or a tensor and a scalar)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfdx_py.errors import DTypeError
from dfdx_py.ops.elementwise import BinaryOp, UnaryOp, binary, is_tensor, scalar_param, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

MINIMUM = BinaryOp("minimum", __name__, ints=True)
SCALAR_MINIMUM = UnaryOp("scalar_minimum", __name__, ints=True)


def minimum(a: Tensor[S, E, D], b: Tensor[Any, E, D] | float) -> Tensor[S, E, D]:
    """``min(a, b)`` elementwise; ``b`` is a tensor of ``a``'s shape or a scalar.
    PyTorch: ``torch.minimum(a, b)``, without broadcasting. NaN propagates::

        >>> dfdx.minimum(dev.tensor([1.0, 5.0]), dev.tensor([3.0, 2.0])).numpy()
        array([1., 2.], dtype=float32)
        >>> dfdx.minimum(dev.tensor([-1.0, 2.0]), 0.0).numpy()
        array([-1.,  0.], dtype=float32)

    The gradient goes to the smaller operand; where ``a == b`` it is split half and half, as
    in dfdx and ``torch.minimum`` (with a scalar ``b`` the tensor gets the half too).
    """
    if not is_tensor(a):
        raise DTypeError(f"minimum: the first operand must be a tensor, got {type(a).__name__}")
    if is_tensor(b):
        return binary(MINIMUM, a, b)  # type: ignore[arg-type]
    return unary(SCALAR_MINIMUM, a, scalar_param("minimum", a, b))
