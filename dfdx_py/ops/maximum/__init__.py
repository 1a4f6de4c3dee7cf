"""maximum: the elementwise larger of two tensors of one shape (or a tensor and a scalar)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfdx_py.errors import DTypeError
from dfdx_py.ops.elementwise import BinaryOp, UnaryOp, binary, is_tensor, scalar_param, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

MAXIMUM = BinaryOp("maximum", __name__, ints=True)
SCALAR_MAXIMUM = UnaryOp("scalar_maximum", __name__, ints=True)


def maximum(a: Tensor[S, E, D], b: Tensor[Any, E, D] | float) -> Tensor[S, E, D]:
    """``max(a, b)`` elementwise; ``b`` is a tensor of ``a``'s shape or a scalar.
    PyTorch: ``torch.maximum(a, b)``, without broadcasting. NaN propagates::

        >>> dfdx.maximum(dev.tensor([1.0, 5.0]), dev.tensor([3.0, 2.0])).numpy()
        array([3., 5.], dtype=float32)
        >>> dfdx.maximum(dev.tensor([-1.0, 2.0]), 0.0).numpy()
        array([0., 2.], dtype=float32)

    The gradient goes to the larger operand; where ``a == b`` it is split half and half, as
    in dfdx and ``torch.maximum`` (with a scalar ``b`` the tensor gets the half too).
    """
    if not is_tensor(a):
        raise DTypeError(f"maximum: the first operand must be a tensor, got {type(a).__name__}")
    if is_tensor(b):
        return binary(MAXIMUM, a, b)  # type: ignore[arg-type]
    return unary(SCALAR_MAXIMUM, a, scalar_param("maximum", a, b))
