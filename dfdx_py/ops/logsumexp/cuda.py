"""logsumexp on the Cuda device: the fused row kernel of logsumexp.cu (a block per row: the
maximum, the sum of exponentials, the log) after moving the reduced axes last; the backward
pass is one elementwise kernel, ``e^(x - y) * grad_y``, or for f16 and bf16 a row kernel
that recomputes ``y`` in f32 (the rounded ``y`` would be off by ``|y|`` units of roundoff in
every ``e^(x - y)``)."""

from typing import Any

from dfdx_py.devices.cuda.context import HALF, suffix
from dfdx_py.ops.cuda_rows import from_rows, launch_rows, row_count, to_rows
from dfdx_py.ops.logsumexp import LOGSUMEXP
from dfdx_py.ops.reduction import reduced_shape


@LOGSUMEXP.register("cuda")
class LogSumExpCuda:
    def forward(self, x: Any, axes: tuple[int, ...]) -> Any:
        rows, n = row_count(x.shape, axes)
        x_rows = to_rows(x, axes)
        y = x.ctx.empty(reduced_shape(x.shape, axes), x.dtype)
        name = f"logsumexp_fwd_{suffix(x.dtype)}"
        launch_rows(x, "logsumexp", name, rows, n, (rows, n, x_rows.ptr, y.ptr))
        return y

    def backward(self, x: Any, y: Any, grad_y: Any, axes: tuple[int, ...]) -> Any:
        rows, n = row_count(x.shape, axes)
        x_rows = to_rows(x, axes)
        grad_x = x.ctx.empty(x_rows.shape, x.dtype)
        if x.size and x.dtype in HALF:
            name = f"logsumexp_bwd_rows_{suffix(x.dtype)}"
            launch_rows(x, "logsumexp", name, rows, n,
                        (rows, n, x_rows.ptr, grad_y.ptr, grad_x.ptr))  # fmt: skip
        elif x.size:
            name = f"logsumexp_bwd_{suffix(x.dtype)}"
            args = (x.size, n, x_rows.ptr, y.ptr, grad_y.ptr, grad_x.ptr)
            x.ctx.launch("logsumexp", name, x.size, args)
        return from_rows(grad_x, x.shape, axes)
