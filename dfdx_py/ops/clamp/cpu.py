"""clamp on the Cpu."""

import numpy as np

from dfdx_py.ops.clamp import CLAMP
from dfdx_py.ops.elementwise import Array, UnaryCpu


@CLAMP.register("cpu")
class ClampCpu(UnaryCpu):
    def f(self, x: Array, lo: float, hi: float) -> Array:
        return np.minimum(np.maximum(x, lo), hi)

    def backward(self, x: Array, y: Array, grad_y: Array, lo: float, hi: float) -> Array:
        return np.where((x >= lo) & (x <= hi), grad_y, 0)
