"""recip on the Cpu."""

import numpy as np

from dfdx_py.ops.elementwise import Array, UnaryCpu
from dfdx_py.ops.recip import RECIP


@RECIP.register("cpu")
class RecipCpu(UnaryCpu):
    def f(self, x: Array) -> Array:
        with np.errstate(divide="ignore"):
            y: Array = 1 / x
        return y

    def backward(self, x: Array, y: Array, grad_y: Array) -> Array:
        grad: Array = -(grad_y * (y * y))
        return grad
