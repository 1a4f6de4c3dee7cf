"""std: ``sqrt(var + eps)`` over some axes, removing them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from dfdx_py.autograd.tape import record
from dfdx_py.errors import DTypeError
from dfdx_py.ops.reduction import Axes
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import normalize_axes
from dfdx_py.tensor import wrap
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor


class StdKernel(Protocol):
    """``forward(x, axes, eps)`` reduces ``x`` over ``axes`` (sorted) to
    ``sqrt(var + eps)``; ``backward(x, y, grad_y, axes)`` returns ``grad_x``."""

    def forward(self, x: Any, axes: tuple[int, ...], eps: float) -> Any: ...

    def backward(self, x: Any, y: Any, grad_y: Any, axes: tuple[int, ...]) -> Any: ...


STD = Op[StdKernel]("std", __name__)


def std(x: Tensor[Any, E, D], axis: Axes = None, eps: float = 0.0) -> Tensor[Any, E, D]:
    """``sqrt(var(x, axis) + eps)``: the biased standard deviation over ``axis`` (every axis
    when ``None``; negative axes and tuples allowed), with the reduced axes removed, as
    dfdx's ``stddev``. PyTorch: ``torch.std(x, dim=axis, correction=0)`` when ``eps`` is 0,
    else ``torch.sqrt(torch.var(x, dim=axis, correction=0) + eps)``.

    One fused kernel. The gradient is ``(x - mean) / (n * std) * grad_y``, and 0 where the
    result is 0 (as ``torch.std``; composing ``sqrt`` and ``var`` would give NaN there)::

        >>> dev.tensor([[1.0, 3.0], [2.0, 6.0]]).std(axis=1).numpy()
        array([1., 2.], dtype=float32)
    """
    if not x.dtype.is_float:
        raise DTypeError(f"std: not defined for {x.dtype} tensors (float tensors only)")
    axes = normalize_axes("std", axis, x.shape)
    kernel = STD.kernel(x.device)
    x_data = x._data
    y = kernel.forward(x_data, axes, float(eps))
    out = wrap(y, x.dtype, x.device)
    if x._tape is not None:
        record(out, (x,), lambda grad_y, needs: (kernel.backward(x_data, y, grad_y, axes),))
    return out
