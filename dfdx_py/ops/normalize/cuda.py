"""normalize on the Cuda device: the fused row kernels of normalize.cu, one launch each way
(a block per row: mean, squared deviations, scaled output; then Σ grad_y * y and Σ grad_y,
and the gradient). Axes other than the last ones are moved last first, and back after."""

from typing import Any

from dfdx_py.devices.cuda.context import suffix
from dfdx_py.ops.cuda_rows import from_rows, keepdims_shape, launch_rows, row_count, to_rows
from dfdx_py.ops.normalize import NORMALIZE


@NORMALIZE.register("cuda")
class NormalizeCuda:
    def forward(self, x: Any, axes: tuple[int, ...], eps: float) -> tuple[Any, Any]:
        rows, n = row_count(x.shape, axes)
        x_rows = to_rows(x, axes)
        y = x.ctx.empty(x_rows.shape, x.dtype)
        inv_std = x.ctx.empty(keepdims_shape(x.shape, axes), x.dtype)
        if x.size:
            args = (rows, n, x.dtype.type(eps), x_rows.ptr, y.ptr, inv_std.ptr)
            launch_rows(x, "normalize", f"normalize_fwd_{suffix(x.dtype)}", rows, n, args)
        return from_rows(y, x.shape, axes), inv_std

    def backward(self, y: Any, inv_std: Any, grad_y: Any, axes: tuple[int, ...]) -> Any:
        rows, n = row_count(y.shape, axes)
        y_rows = to_rows(y, axes)
        g_rows = to_rows(grad_y, axes)
        grad_x = y.ctx.empty(y_rows.shape, y.dtype)
        if y.size:
            args = (rows, n, y_rows.ptr, inv_std.ptr, g_rows.ptr, grad_x.ptr)
            launch_rows(y, "normalize", f"normalize_bwd_{suffix(y.dtype)}", rows, n, args)
        return from_rows(grad_x, y.shape, axes)
