"""linear: ``x Wᵀ + b``, the fused op behind ``nn.Linear`` (PyTorch's ``F.linear``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from dfdx_py.autograd.tape import record
from dfdx_py.errors import DTypeError, ShapeError
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import fmt_shape
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor


class LinearKernel(Protocol):
    """On rows: ``x (R, I)``, ``weight (O, I)``, ``bias (O,)`` or ``None`` → ``(R, O)``."""

    def forward(self, x: Any, weight: Any, bias: Any) -> Any: ...

    def backward(
        self, x: Any, weight: Any, grad_y: Any, needs: Sequence[bool]
    ) -> tuple[Any, Any, Any]: ...


LINEAR = Op[LinearKernel]("linear", __name__)


def linear(
    x: Tensor[Any, E, D], weight: Tensor[Any, E, D], bias: Tensor[Any, E, D] | None = None
) -> Tensor[Any, E, D]:
    """``x @ weight.T + bias`` over the last axis of ``x``: ``(..., I)`` with ``weight`` of
    PyTorch's layout ``(O, I)`` gives ``(..., O)``. PyTorch: ``F.linear(x, weight, bias)``.

    One fused op (one GEMM reading the weight transposed in place, the bias added to its
    output), where ``x @ weight.permute((1, 0)) + bias.broadcast_to(...)`` would be four::

        >>> linear(dev.ones((2, 3)), dev.ones((4, 3)), dev.zeros((4,))).shape
        (2, 4)
    """
    from dfdx_py.tensor import check_same_device, wrap

    tensors = (x, weight) if bias is None else (x, weight, bias)
    for t in tensors[1:]:
        if t.dtype is not x.dtype:
            raise DTypeError(f"linear: dtypes differ: {x.dtype} and {t.dtype}")
    if not x.dtype.is_float:
        raise DTypeError(f"linear: not defined for {x.dtype} tensors")
    check_same_device("linear", tensors)
    if weight.ndim != 2:
        raise ShapeError(f"linear: weight must be (out, in), got {fmt_shape(weight.shape)}")
    out_features, in_features = weight.shape
    if x.ndim == 0 or x.shape[-1] != in_features:
        got = x.shape[-1] if x.shape else "a Rank0 tensor"
        raise ShapeError(
            f"linear: inner dims differ: {fmt_shape(x.shape)} @ {fmt_shape(weight.shape)}ᵀ: "
            f"{got} != {in_features}"
        )
    if bias is not None and bias.shape != (out_features,):
        raise ShapeError(
            f"linear: bias must be ({out_features},) for weight {fmt_shape(weight.shape)}, "
            f"got {fmt_shape(bias.shape)}"
        )
    rows = 1
    for d in x.shape[:-1]:
        rows *= d
    kernel = LINEAR.kernel(x.device)
    x2 = x._data.reshape((rows, in_features))
    w = weight._data
    y2 = kernel.forward(x2, w, None if bias is None else bias._data)
    out = wrap(y2.reshape((*x.shape[:-1], out_features)), x.dtype, x.device)
    if any(t._tape is not None for t in tensors):
        x_shape = x.shape

        def backward(grad_y: Any, needs: Sequence[bool]) -> tuple[Any, ...]:
            g2 = grad_y.reshape((rows, out_features))
            grad_x, grad_w, grad_b = kernel.backward(x2, w, g2, [*needs, False][:3])
            grad_x = None if grad_x is None else grad_x.reshape(x_shape)
            return (grad_x, grad_w) if bias is None else (grad_x, grad_w, grad_b)

        record(out, tensors, backward)
    return out
