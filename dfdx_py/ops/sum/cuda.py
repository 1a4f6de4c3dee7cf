"""sum on the Cuda device: the row reduction of reduce.cu (after moving the summed axes
last); the gradient is ``grad_y`` broadcast back by a strided copy."""

from typing import Any

from dfdx_py.devices.cuda.layout import broadcast, reduce
from dfdx_py.ops.sum import SUM


@SUM.register("cuda")
class SumCuda:
    def forward(self, x: Any, axes: tuple[int, ...]) -> Any:
        return reduce(x, axes, "sum")

    def backward(self, x: Any, y: Any, grad_y: Any, axes: tuple[int, ...]) -> Any:
        return broadcast(grad_y, x.shape, axes)
