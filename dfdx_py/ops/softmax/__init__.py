"""softmax: ``e^x / Σ e^x`` along some axes, keeping the shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from dfdx_py.autograd.tape import record
from dfdx_py.errors import DTypeError
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import normalize_axes
from dfdx_py.tensor import wrap
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor


class SoftmaxKernel(Protocol):
    """A softmax-like op along ``axes`` (sorted, non-negative) that keeps the shape.

    ``forward(x, axes)`` returns ``y``; ``backward(y, grad_y, axes)`` returns ``grad_x``
    from the output alone (softmax and log_softmax need nothing else). A kernel may also
    define ``backward_with_input(x, y, grad_y, axes)``, which the op then calls instead: the
    Cpu's does for f16/bf16, where it recomputes the f32 output from ``x`` (from a rounded
    ``y`` a peaked softmax's gradient, a small difference of terms, keeps no correct digit).
    """

    def forward(self, x: Any, axes: tuple[int, ...]) -> Any: ...

    def backward(self, y: Any, grad_y: Any, axes: tuple[int, ...]) -> Any: ...


SOFTMAX = Op[SoftmaxKernel]("softmax", __name__)


def apply_softmax_like(
    op: Op[SoftmaxKernel], x: Tensor[Any, Any, Any], axis: int | tuple[int, ...]
) -> Tensor[Any, Any, Any]:
    """Check ``x`` and ``axis``, run ``op``'s kernel and record its backward if traced."""
    if not x.dtype.is_float:
        raise DTypeError(f"{op.name}: not defined for {x.dtype} tensors (float tensors only)")
    axes = normalize_axes(op.name, axis, x.shape)
    kernel = op.kernel(x.device)
    y = kernel.forward(x._data, axes)
    out = wrap(y, x.dtype, x.device)
    if x._tape is not None:
        with_input = getattr(kernel, "backward_with_input", None)
        if with_input is None:
            record(out, (x,), lambda grad_y, needs: (kernel.backward(y, grad_y, axes),))
        else:
            x_data = x._data
            record(out, (x,), lambda grad_y, needs: (with_input(x_data, y, grad_y, axes),))
    return out


def softmax(x: Tensor[S, E, D], axis: int | tuple[int, ...] = -1) -> Tensor[S, E, D]:
    """``e^x / Σ e^x`` along ``axis`` (an int, possibly negative, or a tuple of axes), the
    shape kept. PyTorch: ``torch.softmax(x, dim=axis)``.

    Computed stably: the maximum along ``axis`` is subtracted before ``exp``. A row whose
    maximum is ``±inf`` gives NaN, as in PyTorch. The gradient is
    ``y * (grad_y - Σ grad_y * y)``::

        >>> dev.tensor([0.0, 0.0, 0.0, 0.0]).softmax().numpy()
        array([0.25, 0.25, 0.25, 0.25], dtype=float32)
    """
    return apply_softmax_like(SOFTMAX, x, axis)
