"""min on the Cuda device: the row reduction of reduce.cu; the backward pass is max's
(``extremum_bwd`` of max.cu)."""

from typing import Any

from dfdx_py.devices.cuda.layout import reduce
from dfdx_py.ops.max.cuda import extremum_backward
from dfdx_py.ops.min import MIN


@MIN.register("cuda")
class MinCuda:
    def forward(self, x: Any, axes: tuple[int, ...]) -> Any:
        return reduce(x, axes, "min")

    def backward(self, x: Any, y: Any, grad_y: Any, axes: tuple[int, ...]) -> Any:
        return extremum_backward(x, y, grad_y, axes)
