"""leaky_relu on the Cpu."""

import numpy as np

from dfdx_py.ops.elementwise import Array, UnaryCpu
from dfdx_py.ops.leaky_relu import LEAKY_RELU


@LEAKY_RELU.register("cpu")
class LeakyReluCpu(UnaryCpu):
    def f(self, x: Array, slope: float) -> Array:
        return np.where(x > 0, x, x * slope)

    def backward(self, x: Array, y: Array, grad_y: Array, slope: float) -> Array:
        return np.where(x > 0, grad_y, grad_y * slope)
