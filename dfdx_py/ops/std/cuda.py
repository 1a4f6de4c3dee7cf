"""std on the Cuda device: the fused two-pass row kernels of std.cu (a block per row: the
mean, the squared deviations, the square root), one launch each way, after moving the reduced
axes last."""

from typing import Any

from dfdx_py.devices.cuda.context import compute_type, suffix
from dfdx_py.ops.cuda_rows import from_rows, launch_rows, row_count, to_rows
from dfdx_py.ops.reduction import reduced_shape
from dfdx_py.ops.std import STD


@STD.register("cuda")
class StdCuda:
    def forward(self, x: Any, axes: tuple[int, ...], eps: float) -> Any:
        rows, n = row_count(x.shape, axes)
        x_rows = to_rows(x, axes)
        y = x.ctx.empty(reduced_shape(x.shape, axes), x.dtype)
        args = (rows, n, compute_type(x.dtype)(eps), x_rows.ptr, y.ptr)
        launch_rows(x, "std", f"std_fwd_{suffix(x.dtype)}", rows, n, args)
        return y

    def backward(self, x: Any, y: Any, grad_y: Any, axes: tuple[int, ...]) -> Any:
        rows, n = row_count(x.shape, axes)
        x_rows = to_rows(x, axes)
        grad_x = x.ctx.empty(x_rows.shape, x.dtype)
        if x.size:
            args = (rows, n, x_rows.ptr, y.ptr, grad_y.ptr, grad_x.ptr)
            launch_rows(x, "std", f"std_bwd_{suffix(x.dtype)}", rows, n, args)
        return from_rows(grad_x, x.shape, axes)
