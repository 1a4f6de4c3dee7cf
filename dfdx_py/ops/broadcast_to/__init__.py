"""broadcast_to: new axes added to a tensor (dfdx's ``broadcast``), a read-only view."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Protocol

from dfdx_py.autograd.tape import record
from dfdx_py.errors import ShapeError
from dfdx_py.ops.reduction import Axes
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import check_shape, fmt_shape, normalize_axes
from dfdx_py.tensor import wrap
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor


class BroadcastKernel(Protocol):
    """``forward(x, shape, axes)``: ``x`` seen at ``shape``, where ``axes`` (sorted) are the
    new axes of ``shape``; ``backward(grad_y, axes)``: ``grad_y`` summed over those axes."""

    def forward(self, x: Any, shape: tuple[int, ...], axes: tuple[int, ...]) -> Any: ...

    def backward(self, grad_y: Any, axes: tuple[int, ...]) -> Any: ...


BROADCAST_TO = Op[BroadcastKernel]("broadcast_to", __name__)


def _without(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def broadcast_axes(
    x_shape: tuple[int, ...], shape: Any, axes: Axes
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``shape`` as a tuple and the new axes (sorted) that turn ``x_shape`` into it.

    ``ShapeError`` unless ``x_shape`` is ``shape`` with exactly those axes removed.
    """
    shape = check_shape(shape, "broadcast_to")
    n_new = len(shape) - len(x_shape)
    if axes is None:
        new = tuple(range(max(n_new, 0)))
    else:
        new = normalize_axes("broadcast_to", axes, shape)
    if n_new < 0 or len(new) != n_new or _without(shape, new) != x_shape:
        raise ShapeError(
            f"broadcast_to: cannot broadcast {fmt_shape(x_shape)} to {fmt_shape(shape)} "
            f"with new axes {new}: {_hint(x_shape, shape, n_new)}"
        )
    return shape, new


def _hint(x_shape: tuple[int, ...], shape: tuple[int, ...], n_new: int) -> str:
    if n_new < 0:
        return "the target has fewer axes than the input"
    fits = [
        new
        for new in itertools.combinations(range(len(shape)), n_new)
        if _without(shape, new) == x_shape
    ]
    if fits:
        return f"the input must be the target without the new axes; pass axes={fits[0]}"
    return (
        "the input must be the target with the new axes removed; size-1 dims are not "
        "expanded (reshape them away first, then name the new axes with axes=...)"
    )


def broadcast_to(
    x: Tensor[Any, E, D], shape: tuple[int, ...], axes: Axes = None
) -> Tensor[Any, E, D]:
    """``x`` repeated along new axes to ``shape`` (dfdx's ``broadcast``). ``axes`` names the
    positions of the new axes in ``shape`` (an int or a tuple, negative allowed); by
    default they are the leading ones (numpy's rule). PyTorch:
    ``torch.broadcast_to(x, shape)``, or ``x.unsqueeze(...).expand(shape)`` for other axes.

    Unlike numpy and PyTorch, only *new* axes are added: ``x.shape`` must equal ``shape``
    with ``axes`` removed, and a size-1 dim is never stretched (as in dfdx), so
    ``(3, 1) -> (3, 4)`` raises ``ShapeError``; write ``x.reshape((3,)).broadcast_to((3, 4),
    axes=1)``. Any dtype. The result is a read-only view (no copy); the gradient is
    ``grad_y`` summed over the new axes::

        >>> dev.tensor([1.0, 2.0]).broadcast_to((2, 2)).numpy()
        array([[1., 2.],
               [1., 2.]], dtype=float32)
        >>> dev.tensor([1.0, 2.0]).broadcast_to((2, 3), axes=1).numpy()
        array([[1., 1., 1.],
               [2., 2., 2.]], dtype=float32)
    """
    shape, new = broadcast_axes(x.shape, shape, axes)
    kernel = BROADCAST_TO.kernel(x.device)
    out = wrap(kernel.forward(x._data, shape, new), x.dtype, x.device)
    if x._tape is not None:
        record(out, (x,), lambda grad_y, needs: (kernel.backward(grad_y, new),))
    return out
