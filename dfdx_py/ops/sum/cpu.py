"""sum on the Cpu: ``cpu_common.sum_axes`` (BLAS for axes at one end, f32 for half)."""

from dfdx_py.ops.cpu_common import sum_axes
from dfdx_py.ops.reduction import Array, expand_to
from dfdx_py.ops.sum import SUM

__all__ = ["SumCpu", "sum_axes"]


@SUM.register("cpu")
class SumCpu:
    def forward(self, x: Array, axes: tuple[int, ...]) -> Array:
        return sum_axes(x, axes)

    def backward(self, x: Array, y: Array, grad_y: Array, axes: tuple[int, ...]) -> Array:
        return expand_to(grad_y, axes, x.shape)
