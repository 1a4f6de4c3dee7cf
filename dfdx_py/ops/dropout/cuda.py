"""dropout on the Cuda device: one kernel of dropout.cu for the forward and backward pass."""

from typing import Any

from dfdx_py.devices.cuda.context import compute_type, suffix
from dfdx_py.ops.dropout import DROPOUT


def _apply(x: Any, mask: Any, p: float) -> Any:
    """``mask ? x / (1 - p) : 0`` elementwise (``mask`` a bool array of ``x``'s shape)."""
    out = x.ctx.empty(x.shape, x.dtype)
    if x.size:
        # as the Cpu: 1/(1-p) in f64, then x's dtype (f32 for f16 and bf16, computed in f32)
        scale = compute_type(x.dtype)(1.0 / (1.0 - p))
        args = (x.size, scale, mask.ptr, x.ptr, out.ptr)
        x.ctx.launch("dropout", f"dropout_{suffix(x.dtype)}", x.size, args)
    return out


@DROPOUT.register("cuda")
class DropoutCuda:
    def forward(self, x: Any, mask: Any, p: float) -> Any:
        return _apply(x, mask, p)

    def backward(self, grad_y: Any, mask: Any, p: float) -> Any:
        return _apply(grad_y, mask, p)
