"""normalize on the Cuda device: the fused row kernels of normalize.cu, one launch each way
(a block per row: mean, squared deviations, scaled output; then Σ grad_y * y and Σ grad_y,
and the gradient). Axes other than the last ones are moved last first, and back after.

The forward pass keeps, for the backward pass, the input rows and each row's mean and
inv_std (in the kernels' compute type: f32 for f16 and bf16): the backward kernel
recomputes the output from them, as the Cpu does, rather than read the stored output, which
f16 and bf16 round too coarsely for the gradient of short rows.
"""

from typing import Any

import numpy as np

from dfdx_py.devices.cuda.context import compute_type, suffix
from dfdx_py.ops.cuda_rows import from_rows, keepdims_shape, launch_rows, row_count, to_rows
from dfdx_py.ops.normalize import NORMALIZE


@NORMALIZE.register("cuda")
class NormalizeCuda:
    def forward(self, x: Any, axes: tuple[int, ...], eps: float) -> tuple[Any, Any]:
        rows, n = row_count(x.shape, axes)
        x_rows = to_rows(x, axes)
        y = x.ctx.empty(x_rows.shape, x.dtype)
        real = compute_type(x.dtype)
        mean = x.ctx.empty(keepdims_shape(x.shape, axes), np.dtype(real))
        inv_std = x.ctx.empty(mean.shape, mean.dtype)
        if x.size:
            args = (rows, n, real(eps), x_rows.ptr, y.ptr, mean.ptr, inv_std.ptr)
            launch_rows(x, "normalize", f"normalize_fwd_{suffix(x.dtype)}", rows, n, args)
        return from_rows(y, x.shape, axes), (x_rows, mean, inv_std)

    def backward(self, y: Any, saved: Any, grad_y: Any, axes: tuple[int, ...]) -> Any:
        x_rows, mean, inv_std = saved
        rows, n = row_count(y.shape, axes)
        g_rows = to_rows(grad_y, axes)
        grad_x = y.ctx.empty(x_rows.shape, y.dtype)
        if y.size:
            args = (rows, n, x_rows.ptr, mean.ptr, inv_std.ptr, g_rows.ptr, grad_x.ptr)
            launch_rows(y, "normalize", f"normalize_bwd_{suffix(y.dtype)}", rows, n, args)
        return from_rows(grad_x, y.shape, axes)
