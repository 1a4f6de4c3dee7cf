"""slice on the Cuda device: basic indexing is an offset and strides into ``x``, read with
one strided copy (Cuda storage is contiguous: the Cpu's view is a copy here). The backward
pass zero-fills the gradient and writes ``grad_y`` at the same places with one strided
scatter (basic indexing never repeats an element, so the writes do not overlap)."""

from typing import Any

from dfdx_py.devices.cuda.driver import driver_errors
from dfdx_py.devices.cuda.layout import contiguous_strides, strided_copy, strided_scatter
from dfdx_py.ops.slice import SLICE, Index


def zeros(ctx: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    """New storage of ``shape`` on ``ctx`` filled with zeros (one memset)."""
    out = ctx.empty(shape, dtype)
    if out.nbytes:
        with driver_errors("fill with zeros"):
            ctx.drv.memset_d8(out.ptr, 0, out.nbytes)
    return out


def view_of(index: Index, shape: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """The shape, element strides and offset of ``x[index]`` in contiguous ``x`` of
    ``shape``: an int adds to the offset and drops its axis, a slice keeps it."""
    out_shape: list[int] = []
    out_strides: list[int] = []
    offset = 0
    for item, stride in zip(index, contiguous_strides(shape), strict=True):
        if isinstance(item, slice):
            out_shape.append(len(range(item.start, item.stop, item.step)))
            out_strides.append(stride * item.step)
            offset += item.start * stride
        else:
            offset += item * stride
    return tuple(out_shape), tuple(out_strides), offset


@SLICE.register("cuda")
class SliceCuda:
    def forward(self, x: Any, index: Index) -> Any:
        shape, strides, offset = view_of(index, x.shape)
        if shape == x.shape:  # the whole of x (every slice ``::1`` over all of its axis)
            return x
        return strided_copy(x, shape, strides, offset)

    def backward(self, grad_y: Any, index: Index, x_shape: tuple[int, ...]) -> Any:
        shape, strides, offset = view_of(index, x_shape)
        if shape == x_shape:
            return grad_y
        grad_x = zeros(grad_y.ctx, x_shape, grad_y.dtype)
        strided_scatter(grad_y, grad_x, strides, offset)
        return grad_x
