"""concat: tensors joined along an existing axis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from dfdx_py.autograd.tape import record
from dfdx_py.errors import ShapeError
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import fmt_shape, normalize_axis
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor


class ConcatKernel(Protocol):
    """Forward joins ``xs`` along ``axis``; backward splits ``grad_y`` into pieces of
    ``sizes`` along ``axis`` (``None`` where ``needs`` is false)."""

    def forward(self, xs: Sequence[Any], axis: int) -> Any: ...

    def backward(
        self, grad_y: Any, sizes: Sequence[int], axis: int, needs: Sequence[bool]
    ) -> list[Any]: ...


CONCAT = Op[ConcatKernel]("concat", __name__)


def as_tensor_list(op: str, tensors: Any) -> list[Tensor[Any, Any, Any]]:
    """``tensors`` (a tuple or list of >= 1 tensors of one dtype and device) as a list."""
    from dfdx_py.tensor import Tensor, check_same_device, check_same_dtype

    if not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{op}: expected a tuple or list of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ShapeError(f"{op}: needs at least one tensor, got an empty {type(tensors).__name__}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: item {i} is a {type(t).__name__}, not a Tensor")
    xs = list(tensors)
    check_same_dtype(op, xs)
    check_same_device(op, xs)
    return xs


def concat(tensors: Sequence[Tensor[Any, E, D]], axis: int) -> Tensor[Any, E, D]:
    """The tensors joined along ``axis`` (negative counts from the end): every tensor has the
    same rank and the same dims off ``axis``. PyTorch: ``torch.cat(tensors, dim=axis)``::

        >>> a, b = dev.zeros((2, 3)), dev.ones((2, 1))
        >>> dfdx.concat((a, b), axis=1).shape
        (2, 4)

    ``ShapeError`` names both shapes and the first differing axis; mixed dtypes raise
    ``DTypeError``, tensors of two devices ``DeviceError``. The gradient of each input is its
    slice of ``grad_y``.
    """
    from dfdx_py.tensor import wrap

    xs = as_tensor_list("concat", tensors)
    first = xs[0].shape
    for i, t in enumerate(xs[1:], 1):
        if t.ndim != len(first):
            raise ShapeError(
                f"concat: ranks differ: {fmt_shape(first)} vs {fmt_shape(t.shape)}: "
                f"rank {len(first)} != {t.ndim} (tensor 0 vs tensor {i})"
            )
    ax = normalize_axis("concat", axis, len(first), first)
    for i, t in enumerate(xs[1:], 1):
        for j, (p, q) in enumerate(zip(first, t.shape, strict=True)):
            if j != ax and p != q:
                raise ShapeError(
                    f"concat: shapes differ off the concat axis: {fmt_shape(first)} vs "
                    f"{fmt_shape(t.shape)}: axis {j}: {p} != {q} (tensor 0 vs tensor {i})"
                )
    device = xs[0].device
    kernel = CONCAT.kernel(device)
    out = wrap(kernel.forward([t._data for t in xs], ax), xs[0].dtype, device)
    if any(t._tape is not None for t in xs):
        sizes = [t.shape[ax] for t in xs]
        record(out, xs, lambda grad_y, needs: kernel.backward(grad_y, sizes, ax, needs))
    return out
