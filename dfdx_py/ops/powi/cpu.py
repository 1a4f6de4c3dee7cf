"""powi on the Cpu."""

import numpy as np

from dfdx_py.ops.elementwise import Array, UnaryCpu
from dfdx_py.ops.powi import POWI


@POWI.register("cpu")
class PowiCpu(UnaryCpu):
    def f(self, x: Array, exponent: int) -> Array:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.power(x, exponent)

    def backward(self, x: Array, y: Array, grad_y: Array, exponent: int) -> Array:
        if exponent == 0:
            return np.zeros_like(grad_y)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            grad: Array = grad_y * (exponent * np.power(x, exponent - 1))
        return grad
