"""sqrt on the Cpu."""

import numpy as np

from dfdx_py.ops.elementwise import Array, UnaryCpu
from dfdx_py.ops.sqrt import SQRT


@SQRT.register("cpu")
class SqrtCpu(UnaryCpu):
    def f(self, x: Array) -> Array:
        with np.errstate(invalid="ignore"):
            return np.sqrt(x)

    def backward(self, x: Array, y: Array, grad_y: Array) -> Array:
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad_y * 0.5 / y
