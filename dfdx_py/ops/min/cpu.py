"""min on the Cpu."""

import numpy as np

from dfdx_py.ops.max.cpu import extremum_backward
from dfdx_py.ops.min import MIN
from dfdx_py.ops.reduction import Array


@MIN.register("cpu")
class MinCpu:
    def forward(self, x: Array, axes: tuple[int, ...]) -> Array:
        return np.asarray(np.min(x, axis=axes))

    def backward(self, x: Array, y: Array, grad_y: Array, axes: tuple[int, ...]) -> Array:
        return extremum_backward(x, y, grad_y, axes)
