"""reshape: the same elements in a new shape (at most one dim may be ``-1``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from dfdx_py.autograd.tape import record
from dfdx_py.errors import ShapeError
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import fmt_shape
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor


class ReshapeKernel(Protocol):
    """Forward gives ``x`` (row-major order) in ``shape``; backward gives ``grad_y`` back in
    ``x_shape``. Both may return views."""

    def forward(self, x: Any, shape: tuple[int, ...]) -> Any: ...

    def backward(self, grad_y: Any, x_shape: tuple[int, ...]) -> Any: ...


RESHAPE = Op[ReshapeKernel]("reshape", __name__)


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def resolve_shape(op: str, old: tuple[int, ...], shape: Any) -> tuple[int, ...]:
    """``shape`` (a tuple of ints >= 0, at most one ``-1``) with the ``-1`` filled in so that
    it holds as many elements as ``old``; ``ShapeError`` otherwise."""
    if _is_int(shape):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(_is_int(d) for d in shape):
        raise ShapeError(f"{op}: a shape must be a tuple of ints, got {shape!r}")
    dims = tuple(int(d) for d in shape)
    if any(d < -1 for d in dims) or dims.count(-1) > 1:
        raise ShapeError(
            f"{op}: dims must be >= 0 with at most one -1, got {fmt_shape(dims)} "
            f"(reshaping {fmt_shape(old)})"
        )
    numel = int(np.prod(old, dtype=np.int64))
    known = int(np.prod([d for d in dims if d != -1], dtype=np.int64))
    if -1 in dims:
        if known == 0 or numel % known != 0:
            raise ShapeError(
                f"{op}: cannot reshape {fmt_shape(old)} ({numel} elements) to "
                f"{fmt_shape(dims)}: no size for -1 makes {numel} elements from the "
                f"other dims' product {known}"
            )
        return tuple(numel // known if d == -1 else d for d in dims)
    if known != numel:
        raise ShapeError(
            f"{op}: cannot reshape {fmt_shape(old)} ({numel} elements) to "
            f"{fmt_shape(dims)} ({known} elements)"
        )
    return dims


def reshape(x: Tensor[Any, E, D], shape: tuple[int, ...]) -> Tensor[Any, E, D]:
    """The elements of ``x`` in row-major order, in ``shape``; one dim may be ``-1`` (worked
    out from the others). PyTorch: ``torch.reshape(x, shape)``::

        >>> dev.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).reshape((3, -1)).numpy()
        array([[1., 2.],
               [3., 4.],
               [5., 6.]], dtype=float32)

    A view of ``x``'s storage when the Cpu allows it. The element counts must match
    (``ShapeError`` otherwise). The gradient is ``grad_y`` reshaped back.
    """
    from dfdx_py.tensor import wrap

    x_shape = x.shape
    target = resolve_shape("reshape", x_shape, shape)
    kernel = RESHAPE.kernel(x.device)
    out = wrap(kernel.forward(x._data, target), x.dtype, x.device)
    if x._tape is not None:
        record(out, (x,), lambda grad_y, needs: (kernel.backward(grad_y, x_shape),))
    return out
