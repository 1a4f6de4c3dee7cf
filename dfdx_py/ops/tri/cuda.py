"""tril and triu on the Cuda device: the kernels of tri.cu (one launch; the backward pass,
``forward(grad_y, k)``, masks the gradient the same way)."""

from typing import Any

import numpy as np

from dfdx_py.devices.cuda.context import suffix
from dfdx_py.ops.tri import TRIL, TRIU


class TriCuda:
    """One triangle kept: ``kernel`` is ``"tril"`` or ``"triu"``."""

    kernel: str

    def forward(self, x: Any, k: int) -> Any:
        out = x.ctx.empty(x.shape, x.dtype)
        if x.size:
            rows, cols = x.shape[-2:]
            diag = max(-rows, min(cols, k))  # j - i lies in (-rows, cols): fits an int64
            args = (x.size, rows, cols, np.int64(diag), x.ptr, out.ptr)
            x.ctx.launch("tri", f"{self.kernel}_{suffix(x.dtype)}", x.size, args)
        return out


@TRIL.register("cuda")
class TrilCuda(TriCuda):
    kernel = "tril"


@TRIU.register("cuda")
class TriuCuda(TriCuda):
    kernel = "triu"
