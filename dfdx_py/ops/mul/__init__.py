"""mul: ``a * b`` for two tensors of one shape, or a tensor and a Python scalar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfdx_py.ops.elementwise import BinaryOp, UnaryOp, binary, is_tensor, scalar_param, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

MUL = BinaryOp("mul", __name__, ints=True)
SCALAR_MUL = UnaryOp("scalar_mul", __name__, ints=True)


def mul(a: Tensor[S, E, D], b: Tensor[Any, E, D] | float) -> Tensor[S, E, D]:
    """``a * b`` elementwise; ``b`` is a tensor of ``a``'s shape or a scalar.
    PyTorch: ``torch.mul(a, b)``, without broadcasting::

        >>> (dev.tensor([1.0, 2.0]) * 3.0).numpy()
        array([3., 6.], dtype=float32)
    """
    if is_tensor(b):
        return binary(MUL, a, b)  # type: ignore[arg-type]
    return unary(SCALAR_MUL, a, scalar_param("mul", a, b))
