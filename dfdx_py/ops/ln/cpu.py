"""ln on the Cpu."""

import numpy as np

from dfdx_py.ops.elementwise import Array, UnaryCpu
from dfdx_py.ops.ln import LN


@LN.register("cpu")
class LnCpu(UnaryCpu):
    def f(self, x: Array) -> Array:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    def backward(self, x: Array, y: Array, grad_y: Array) -> Array:
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad_y / x
