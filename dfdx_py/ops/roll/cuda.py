"""roll on the Cuda device: the kernel of roll.cu, one launch (a shift of 0 is free)."""

import math
from typing import Any

from dfdx_py.devices.cuda.context import suffix
from dfdx_py.ops.roll import ROLL


@ROLL.register("cuda")
class RollCuda:
    def forward(self, x: Any, shift: int, axis: int) -> Any:
        # ``shift`` is already in range(x.shape[axis]) (0 for an empty axis)
        if shift == 0:
            return x  # nothing moves: the same memory, as reshape (storage is never written)
        n = x.shape[axis]
        inner = math.prod(x.shape[axis + 1 :])
        out = x.ctx.empty(x.shape, x.dtype)
        if x.size:
            args = (x.size, n, inner, shift, x.ptr, out.ptr)
            x.ctx.launch("roll", f"roll_{suffix(x.dtype)}", x.size, args)
        return out
