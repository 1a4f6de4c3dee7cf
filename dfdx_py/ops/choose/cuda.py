"""choose on the Cuda device: the kernels of choose.cu.

The kernels only move elements, so they are chosen by element width (``choose_fwd_u32`` for
``f32``): every dtype works, ``f16`` and ``bf16`` included.
"""

from collections.abc import Sequence
from typing import Any

from dfdx_py.errors import DeviceError
from dfdx_py.ops.choose import CHOOSE

_WIDTH = {1: "u8", 2: "u16", 4: "u32", 8: "u64"}


def _suffix(x: Any) -> str:
    try:
        return _WIDTH[x.dtype.itemsize]
    except KeyError:
        raise DeviceError(f"Cuda: choose has no kernel for {x.dtype} tensors") from None


@CHOOSE.register("cuda")
class ChooseCuda:
    def forward(self, cond: Any, a: Any, b: Any) -> Any:
        out = a.ctx.empty(a.shape, a.dtype)
        if a.size:
            args = (a.size, cond.ptr, a.ptr, b.ptr, out.ptr)
            a.ctx.launch("choose", f"choose_fwd_{_suffix(a)}", a.size, args)
        return out

    def backward(
        self, cond: Any, grad_y: Any, needs: Sequence[bool]
    ) -> tuple[Any | None, Any | None]:
        ctx = grad_y.ctx
        grad_a = ctx.empty(grad_y.shape, grad_y.dtype) if needs[0] else None
        grad_b = ctx.empty(grad_y.shape, grad_y.dtype) if needs[1] else None
        if grad_y.size and (grad_a is not None or grad_b is not None):
            ptr_a = 0 if grad_a is None else grad_a.ptr
            ptr_b = 0 if grad_b is None else grad_b.ptr
            args = (grad_y.size, cond.ptr, grad_y.ptr, ptr_a, ptr_b)
            ctx.launch("choose", f"choose_bwd_{_suffix(grad_y)}", grad_y.size, args)
        return grad_a, grad_b
