"""slice_: basic indexing ``x[1:3, ..., 0]`` (what ``Tensor.__getitem__`` calls)."""

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

Index = tuple[int | slice, ...]
"""A normalised index: one entry per axis, an int in ``range(dim)`` (the axis is removed)
or a ``slice(start, stop, step)`` with ``0 <= start``, ``step > 0`` and ints throughout
(as ``slice.indices`` gives them)."""


class SliceKernel(Protocol):
    """Forward reads ``x[index]``; backward writes ``grad_y`` at ``index`` into zeros of
    ``x_shape``. ``index`` is normalised (see ``Index``)."""

    def forward(self, x: Any, index: Index) -> Any: ...

    def backward(self, grad_y: Any, index: Index, x_shape: tuple[int, ...]) -> Any: ...


SLICE = Op[SliceKernel]("slice", __name__)


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _unsupported(item: Any) -> TypeError:
    if item is None:
        what = "None (newaxis); add axes with reshape or broadcast_to"
    else:
        what = f"an index of type {type(item).__name__}"
    return TypeError(
        f"slice: only basic indexing (ints, slices with a positive step, ...) is supported, "
        f"got {what}; use x.select(indices, axis) or x.gather(indices, axis) to index with "
        "a tensor"
    )


def normalize_index(index: Any, shape: tuple[int, ...]) -> Index:
    """``index`` (an int, slice, ``...`` or a tuple of them) as one entry per axis of
    ``shape``; ``IndexError`` for an int out of range or too many indices, ``ShapeError``
    for a step <= 0, ``TypeError`` for anything but basic indexing."""
    items = index if isinstance(index, tuple) else (index,)
    for item in items:
        if item is Ellipsis or _is_int(item):
            continue
        if isinstance(item, slice):
            for part in (item.start, item.stop, item.step):
                if part is not None and not _is_int(part):
                    raise TypeError(
                        f"slice: slice bounds must be ints or None, got {item!r} "
                        f"for shape {fmt_shape(shape)}"
                    )
            continue
        raise _unsupported(item)
    ellipses = sum(1 for item in items if item is Ellipsis)
    if ellipses > 1:
        raise IndexError(f"slice: an index can hold only one ellipsis (...), got {index!r}")
    explicit = len(items) - ellipses
    ndim = len(shape)
    if explicit > ndim:
        raise IndexError(
            f"slice: too many indices for shape {fmt_shape(shape)}: {explicit} indices "
            f"for rank {ndim} (index {index!r})"
        )
    full: list[Any] = []
    for item in items:
        if item is Ellipsis:
            full.extend([slice(None)] * (ndim - explicit))
        else:
            full.append(item)
    full.extend([slice(None)] * (ndim - len(full)))
    out: list[int | slice] = []
    for axis, (item, dim) in enumerate(zip(full, shape, strict=True)):
        if isinstance(item, slice):
            if item.step is not None and item.step <= 0:
                raise ShapeError(
                    f"slice: step must be > 0, got {item!r} on axis {axis} of shape "
                    f"{fmt_shape(shape)} (reverse with roll or select instead)"
                )
            out.append(slice(*item.indices(dim)))
        else:
            i = int(item)
            if not -dim <= i < dim:
                raise IndexError(
                    f"slice: index {i} is out of range for axis {axis} of size {dim} "
                    f"(shape {fmt_shape(shape)})"
                )
            out.append(i + dim if i < 0 else i)
    return tuple(out)


def slice_(x: Tensor[Any, E, D], index: Any) -> Tensor[Any, E, D]:
    """Basic indexing, ``x[index]``: ints (negative count from the end; the axis is
    removed), slices ``start:stop:step`` with ``step > 0``, one ``...``, or a tuple of those;
    axes left over keep their whole length. PyTorch/NumPy: ``x[index]``::

        >>> x = dev.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        >>> x[1].numpy()
        array([4., 5., 6.], dtype=float32)
        >>> x[:, ::2].numpy()
        array([[1., 3.],
               [4., 6.]], dtype=float32)
        >>> x[..., -1].numpy()
        array([3., 6.], dtype=float32)

    An int out of range raises ``IndexError`` naming the index and the dim size (so that
    ``for row in x`` stops); a step <= 0 raises ``ShapeError``; tensors, lists, ``None`` and
    bools raise ``TypeError``: index with tensors through ``select`` or ``gather``. A view on
    the Cpu. The gradient is ``grad_y`` written at ``index`` into zeros of ``x``'s shape.
    """
    from dfdx_py.tensor import wrap

    normal = normalize_index(index, x.shape)
    kernel = SLICE.kernel(x.device)
    out = wrap(kernel.forward(x._data, normal), x.dtype, x.device)
    if x._tape is not None:
        x_shape = x.shape
        record(out, (x,), lambda grad_y, needs: (kernel.backward(grad_y, normal, x_shape),))
    return out
