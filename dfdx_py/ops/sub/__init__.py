"""sub: ``a - b`` for two tensors of one shape, or a tensor and a Python scalar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfdx_py.ops.elementwise import BinaryOp, UnaryOp, binary, is_tensor, scalar_param, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

SUB = BinaryOp("sub", __name__, ints=True)
SCALAR_SUB = UnaryOp("scalar_sub", __name__, ints=True)


def sub(a: Tensor[S, E, D], b: Tensor[Any, E, D] | float) -> Tensor[S, E, D]:
    """``a - b`` elementwise; ``b`` is a tensor of ``a``'s shape or a scalar.
    PyTorch: ``torch.sub(a, b)``, without broadcasting (``(N, 1) - (N,)`` raises
    ``ShapeError``). Works on ``i64`` too (an integer scalar only)::

        >>> (dev.tensor([5.0, 7.0]) - dev.tensor([1.0, 2.0])).numpy()
        array([4., 5.], dtype=float32)
        >>> (dev.tensor([5.0, 7.0]) - 1.0).numpy()
        array([4., 6.], dtype=float32)

    The gradient is ``grad_y`` for ``a`` and ``-grad_y`` for ``b``. ``s - x`` (a scalar on
    the left) is ``-x + s``.
    """
    if is_tensor(b):
        return binary(SUB, a, b)  # type: ignore[arg-type]
    return unary(SCALAR_SUB, a, scalar_param("sub", a, b))
