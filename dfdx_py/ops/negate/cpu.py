"""negate on the Cpu."""

import numpy as np

from dfdx_py.ops.elementwise import Array, UnaryCpu
from dfdx_py.ops.negate import NEGATE


@NEGATE.register("cpu")
class NegateCpu(UnaryCpu):
    def f(self, x: Array) -> Array:
        return np.negative(x)

    def backward(self, x: Array, y: Array, grad_y: Array) -> Array:
        return np.negative(grad_y)
