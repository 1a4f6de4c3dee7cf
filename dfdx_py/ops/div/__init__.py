"""div: ``a / b`` (true division) for float tensors of one shape, or a tensor and a scalar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfdx_py.errors import DTypeError
from dfdx_py.ops.elementwise import BinaryOp, UnaryOp, binary, is_tensor, scalar_param, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

DIV = BinaryOp("div", __name__)
SCALAR_DIV = UnaryOp("scalar_div", __name__)


def div(a: Tensor[S, E, D], b: Tensor[Any, E, D] | float) -> Tensor[S, E, D]:
    """``a / b`` elementwise (true division); ``b`` is a tensor of ``a``'s shape or a scalar.
    PyTorch: ``torch.div(a, b)``, without broadcasting (``(N, 1) / (N,)`` raises
    ``ShapeError``)::

        >>> (dev.tensor([1.0, 3.0]) / dev.tensor([2.0, 4.0])).numpy()
        array([0.5 , 0.75], dtype=float32)
        >>> (dev.tensor([1.0, 3.0]) / 2.0).numpy()
        array([0.5, 1.5], dtype=float32)

    Float tensors only: true division of ``i64`` tensors would have to change the dtype, so
    it raises ``DTypeError`` (convert first with ``x.to_dtype(f32)``). Dividing by zero gives
    ``inf`` or ``nan`` as in PyTorch, without a warning. The gradient is ``grad_y / b`` for
    ``a`` and ``-grad_y * a / b²`` for ``b``.
    """
    if not a.dtype.is_float:
        raise DTypeError(
            f"div: not defined for {a.dtype} tensors (true division would change the dtype; "
            "convert first, e.g. x.to_dtype(f32))"
        )
    if is_tensor(b):
        return binary(DIV, a, b)  # type: ignore[arg-type]
    return unary(SCALAR_DIV, a, scalar_param("div", a, b))
