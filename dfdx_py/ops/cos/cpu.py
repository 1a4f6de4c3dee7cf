"""cos on the Cpu."""

import numpy as np

from dfdx_py.ops.cos import COS
from dfdx_py.ops.elementwise import Array, UnaryCpu


@COS.register("cpu")
class CosCpu(UnaryCpu):
    def f(self, x: Array) -> Array:
        return np.cos(x)

    def backward(self, x: Array, y: Array, grad_y: Array) -> Array:
        return -(grad_y * np.sin(x))
