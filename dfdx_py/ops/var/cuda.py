"""var on the Cuda device: the fused two-pass row kernels of var.cu (a block per row: the
mean, then the squared deviations from it), one launch each way, after moving the reduced
axes last."""

from typing import Any

from dfdx_py.devices.cuda.context import suffix
from dfdx_py.ops.cuda_rows import from_rows, launch_rows, row_count, to_rows
from dfdx_py.ops.reduction import reduced_shape
from dfdx_py.ops.var import VAR


@VAR.register("cuda")
class VarCuda:
    def forward(self, x: Any, axes: tuple[int, ...]) -> Any:
        rows, n = row_count(x.shape, axes)
        x_rows = to_rows(x, axes)
        y = x.ctx.empty(reduced_shape(x.shape, axes), x.dtype)
        launch_rows(x, "var", f"var_fwd_{suffix(x.dtype)}", rows, n, (rows, n, x_rows.ptr, y.ptr))
        return y

    def backward(self, x: Any, y: Any, grad_y: Any, axes: tuple[int, ...]) -> Any:
        rows, n = row_count(x.shape, axes)
        x_rows = to_rows(x, axes)
        grad_x = x.ctx.empty(x_rows.shape, x.dtype)
        if x.size:
            args = (rows, n, x_rows.ptr, grad_y.ptr, grad_x.ptr)
            launch_rows(x, "var", f"var_bwd_{suffix(x.dtype)}", rows, n, args)
        return from_rows(grad_x, x.shape, axes)
