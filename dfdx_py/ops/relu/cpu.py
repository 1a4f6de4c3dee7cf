"""relu on the Cpu."""

import numpy as np

from dfdx_py.ops.elementwise import Array, UnaryCpu
from dfdx_py.ops.relu import RELU


@RELU.register("cpu")
class ReluCpu(UnaryCpu):
    def f(self, x: Array) -> Array:
        return np.maximum(x, 0)

    def backward(self, x: Array, y: Array, grad_y: Array) -> Array:
        return np.where(x > 0, grad_y, 0)
