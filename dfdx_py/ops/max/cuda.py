"""max on the Cuda device: the row reduction of reduce.cu (after moving the reduced axes
last); the backward pass (shared with min) is one elementwise kernel of max.cu, dfdx's rule:
``grad_y`` to every element equal to the result."""

from typing import Any

from dfdx_py.devices.cuda.context import suffix
from dfdx_py.devices.cuda.layout import reduce
from dfdx_py.ops.cuda_rows import from_rows, row_count, to_rows
from dfdx_py.ops.max import MAX


def extremum_backward(x: Any, y: Any, grad_y: Any, axes: tuple[int, ...]) -> Any:
    """``grad_y`` to every element of ``x`` equal to its reduction's result ``y``, else 0."""
    _, n = row_count(x.shape, axes)
    x_rows = to_rows(x, axes)
    grad_x = x.ctx.empty(x_rows.shape, x.dtype)
    if x.size:
        args = (x.size, n, x_rows.ptr, y.ptr, grad_y.ptr, grad_x.ptr)
        x.ctx.launch("max", f"extremum_bwd_{suffix(x.dtype)}", x.size, args)
    return from_rows(grad_x, x.shape, axes)


@MAX.register("cuda")
class MaxCuda:
    def forward(self, x: Any, axes: tuple[int, ...]) -> Any:
        return reduce(x, axes, "max")

    def backward(self, x: Any, y: Any, grad_y: Any, axes: tuple[int, ...]) -> Any:
        return extremum_backward(x, y, grad_y, axes)
