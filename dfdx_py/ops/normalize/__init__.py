"""normalize: ``(x - mean) / sqrt(var + eps)`` along some axes, keeping the shape."""

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


class NormalizeKernel(Protocol):
    """``forward(x, axes, eps)`` returns ``(y, inv_std)``, ``inv_std = 1/sqrt(var + eps)``
    with the reduced axes kept (size 1); ``backward(y, inv_std, grad_y, axes)`` returns
    ``grad_x`` from those alone. The second item is the kernel's own: the op only hands it
    back to ``backward`` (the Cpu keeps more there for f16/bf16)."""

    def forward(self, x: Any, axes: tuple[int, ...], eps: float) -> tuple[Any, Any]: ...

    def backward(self, y: Any, inv_std: Any, grad_y: Any, axes: tuple[int, ...]) -> Any: ...


NORMALIZE = Op[NormalizeKernel]("normalize", __name__)


def normalize(
    x: Tensor[S, E, D], axis: int | tuple[int, ...] = -1, eps: float = 1e-5
) -> Tensor[S, E, D]:
    """``(x - mean) / sqrt(var + eps)`` along ``axis`` (an int, possibly negative, or a tuple
    of axes), the shape kept; ``var`` is the biased variance. PyTorch, on the last axis:
    ``torch.nn.functional.layer_norm(x, x.shape[-1:], eps=eps)`` (no weight, no bias).

    One fused kernel (dfdx composes it from mean, sub, var, sqrt and div); the gradient is
    ``(grad_y - mean(grad_y) - y * mean(grad_y * y)) / sqrt(var + eps)``::

        >>> dev.tensor([1.0, 3.0]).normalize(eps=0.0).numpy()
        array([-1.,  1.], dtype=float32)
    """
    if not x.dtype.is_float:
        raise DTypeError(f"normalize: not defined for {x.dtype} tensors (float tensors only)")
    axes = normalize_axes("normalize", axis, x.shape)
    kernel = NORMALIZE.kernel(x.device)
    y, inv_std = kernel.forward(x._data, axes, float(eps))
    out = wrap(y, x.dtype, x.device)
    if x._tape is not None:
        record(out, (x,), lambda grad_y, needs: (kernel.backward(y, inv_std, grad_y, axes),))
    return out
