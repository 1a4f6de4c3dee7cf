"""select and gather: index one axis with an ``i64`` tensor (dfdx's ``select``/``gather``).

Both read ``x`` along ``axis`` at positions given by an index tensor whose leading dims are
the *batch* dims ``x.shape[:axis]``: each batch entry picks its own positions.

- ``select`` removes the axis: index shape ``x.shape[:axis]``,
  ``out[b..., rest...] = x[b..., idx[b...], rest...]``;
- ``gather`` replaces the axis with a new dim ``N``: index shape ``x.shape[:axis] + (N,)``,
  ``out[b..., n, rest...] = x[b..., idx[b..., n], rest...]``.

One kernel does both: ``out[b..., n..., rest...] = x[b..., idx[b..., n...], rest...]`` where
``n...`` are the index dims after the batch dims (none for select, one for gather, any number
for gather's embedding-lookup form on axis 0).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from dfdx_py.autograd.tape import record
from dfdx_py.errors import DTypeError, ShapeError
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import fmt_shape, normalize_axis
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor


class IndexAxisKernel(Protocol):
    """The kernel of select and gather.

    ``forward(x, idx, axis)``: ``idx.shape[:axis] == x.shape[:axis]`` (the batch dims) and
    ``out[b..., n..., rest...] = x[b..., idx[b..., n...], rest...]``, of shape
    ``idx.shape + x.shape[axis + 1:]``. ``backward`` adds ``grad_y`` into zeros of
    ``x_shape`` at the same positions (a repeated index adds up). ``out_of_range`` returns
    the first index value outside ``range(size)``, or ``None`` when all are inside.
    """

    def forward(self, x: Any, idx: Any, axis: int) -> Any: ...

    def backward(self, grad_y: Any, idx: Any, axis: int, x_shape: tuple[int, ...]) -> Any: ...

    def out_of_range(self, idx: Any, size: int) -> int | None: ...


SELECT = Op[IndexAxisKernel]("select", __name__)
GATHER = Op[IndexAxisKernel]("gather", __name__)


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _check_index_tensor(op: str, x: Tensor[Any, Any, Any], indices: Any) -> None:
    from dfdx_py.tensor import Tensor, check_same_device

    if not isinstance(indices, Tensor):
        if isinstance(indices, (float, np.floating)):
            raise DTypeError(f"{op}: indices must be integers, got the float {indices!r}")
        allowed = "an i64 tensor or a Python int" if op == "select" else "an i64 tensor"
        raise TypeError(
            f"{op}: indices must be {allowed}, got {type(indices).__name__}; "
            "make one with dev.tensor([...])"
        )
    if indices.dtype.__name__ != "i64":
        raise DTypeError(f"{op}: indices must be an i64 tensor, got {indices.dtype}")
    check_same_device(op, (x, indices))


def _misfit(op: str, x_shape: tuple[int, ...], idx_shape: tuple[int, ...], axis: Any) -> str:
    return (
        f"{op}: index shape {fmt_shape(idx_shape)} does not fit x of shape "
        f"{fmt_shape(x_shape)} at axis {axis}"
    )


def _with_n(batch: tuple[int, ...]) -> str:
    """``(2, 3, N)``: the index shape gather wants, its new dim written ``N``."""
    return "(" + "".join(f"{d}, " for d in batch) + ("N,)" if not batch else "N)")


def _index_axis(
    op: Op[IndexAxisKernel], x: Tensor[Any, E, D], indices: Tensor[Any, Any, Any], axis: int
) -> Tensor[Any, E, D]:
    """Run the kernel of ``op`` after the index values were found in range."""
    from dfdx_py.tensor import wrap

    kernel = op.kernel(x.device)
    idx = indices._data
    size = x.shape[axis]
    bad = kernel.out_of_range(idx, size)
    if bad is not None:
        raise IndexError(
            f"{op.name}: index {bad} is out of range for axis {axis} of size {size} "
            f"(x shape {fmt_shape(x.shape)}, index shape {fmt_shape(indices.shape)})"
        )
    out = wrap(kernel.forward(x._data, idx, axis), x.dtype, x.device)
    if x._tape is not None or indices._tape is not None:  # traced ids bring the tape too
        x_shape = x.shape
        record(
            out,
            (x, indices),
            lambda grad_y, needs: (kernel.backward(grad_y, idx, axis, x_shape), None),
        )
    return out


def select(
    x: Tensor[Any, E, D], indices: Tensor[Any, Any, D] | int, axis: int | None = None
) -> Tensor[Any, E, D]:
    """One element along ``axis`` per batch entry, removing the axis (dfdx's ``select``).

    ``indices`` is an ``i64`` tensor of shape ``x.shape[:axis]`` (when ``axis`` is ``None``
    it is ``indices.ndim``): ``out[b..., rest...] = x[b..., indices[b...], rest...]``. A
    Python int picks the same position in every batch entry (``axis`` defaults to 0; a
    negative int counts from the end), like ``torch.select(x, axis, i)``. PyTorch for a
    tensor index: ``torch.gather(x, axis, idx_full).squeeze(axis)`` with ``idx`` expanded to
    ``x``'s shape with size 1 at ``axis``::

        >>> x = dev.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        >>> x.select(dev.tensor([2, 0])).numpy()        # axis 1: one column per row
        array([3., 4.], dtype=float32)
        >>> x.select(1).numpy()                          # axis 0: row 1
        array([4., 5., 6.], dtype=float32)

    An index shape that does not fit raises ``ShapeError``; an index value outside
    ``range(x.shape[axis])`` (negative ones too) ``IndexError``; a non-integer index
    ``DTypeError``. The gradient adds ``grad_y`` into zeros at the selected positions.
    """
    if _is_int(indices):
        from dfdx_py.ops.slice import slice_

        ax = 0 if axis is None else normalize_axis("select", axis, x.ndim, x.shape)
        if ax >= x.ndim:  # x is Rank0
            raise ShapeError(f"select: a Rank0 tensor has no axis to select from ({x.shape})")
        i, size = int(indices), x.shape[ax]
        if not -size <= i < size:
            raise IndexError(
                f"select: index {i} is out of range for axis {ax} of size {size} "
                f"(x shape {fmt_shape(x.shape)})"
            )
        return slice_(x, (*[slice(None)] * ax, i))
    _check_index_tensor("select", x, indices)
    assert not isinstance(indices, int)
    idx_shape = indices.shape
    if axis is None:
        ax = indices.ndim
        if ax >= x.ndim:
            raise ShapeError(
                f"{_misfit('select', x.shape, idx_shape, ax)}: the index rank "
                f"{indices.ndim} must be less than x's rank {x.ndim}"
            )
    else:
        ax = normalize_axis("select", axis, x.ndim, x.shape)
    if idx_shape != x.shape[:ax]:
        raise ShapeError(
            f"{_misfit('select', x.shape, idx_shape, ax)}: the index shape must be "
            f"x.shape[:{ax}] = {fmt_shape(x.shape[:ax])}"
        )
    return _index_axis(SELECT, x, indices, ax)


def gather(
    x: Tensor[Any, E, D], indices: Tensor[Any, Any, D], axis: int | None = None
) -> Tensor[Any, E, D]:
    """Several elements along ``axis`` per batch entry, replacing the axis by a new dim
    ``N`` (dfdx's ``gather``).

    ``indices`` is an ``i64`` tensor of shape ``x.shape[:axis] + (N,)`` (when ``axis`` is
    ``None`` it is ``indices.ndim - 1``):
    ``out[b..., n, rest...] = x[b..., indices[b..., n], rest...]``. PyTorch:
    ``torch.gather(x, axis, idx)`` with ``idx`` expanded over the trailing dims; for axis 0,
    ``x[idx]``::

        >>> x = dev.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        >>> x.gather(dev.tensor([[2, 2], [0, 1]])).numpy()   # axis 1
        array([[3., 3.],
               [4., 5.]], dtype=float32)
        >>> x.gather(dev.tensor([1, 1, 0])).shape              # axis 0
        (3, 3)

    With ``axis=0`` given explicitly the index may have any rank: ``out`` has shape
    ``indices.shape + x.shape[1:]`` (an embedding lookup, dfdx's batched gather
    ``(V, M)`` by ``(B, S)`` -> ``(B, S, M)``; ``torch.nn.functional.embedding``).

    An index shape that does not fit raises ``ShapeError``; an index value outside
    ``range(x.shape[axis])`` ``IndexError``; a non-integer index ``DTypeError``. The gradient
    adds ``grad_y`` into zeros at the gathered positions (a repeated index adds up).
    """
    _check_index_tensor("gather", x, indices)
    idx_shape = indices.shape
    if indices.ndim == 0:
        raise ShapeError(
            f"{_misfit('gather', x.shape, idx_shape, axis)}: gather needs an index of rank "
            ">= 1 (its last dim is the new dim); use select for one element"
        )
    if axis is None:
        ax = indices.ndim - 1
        if ax >= x.ndim:
            raise ShapeError(
                f"{_misfit('gather', x.shape, idx_shape, ax)}: the index rank {indices.ndim} "
                f"must be at most x's rank {x.ndim}"
            )
    else:
        ax = normalize_axis("gather", axis, x.ndim, x.shape)
        if ax == 0:  # any index rank: the embedding-lookup form
            return _index_axis(GATHER, x, indices, 0)
    if indices.ndim != ax + 1 or idx_shape[:-1] != x.shape[:ax]:
        hint = " (for an embedding lookup pass axis=0)" if axis is None and ax > 0 else ""
        raise ShapeError(
            f"{_misfit('gather', x.shape, idx_shape, ax)}: the index shape must be "
            f"x.shape[:{ax}] + (N,) = {_with_n(x.shape[:ax])}{hint}"
        )
    return _index_axis(GATHER, x, indices, ax)
