"""sin on the Cpu."""

import numpy as np

from dfdx_py.ops.elementwise import Array, UnaryCpu
from dfdx_py.ops.sin import SIN


@SIN.register("cpu")
class SinCpu(UnaryCpu):
    def f(self, x: Array) -> Array:
        return np.sin(x)

    def df(self, x: Array, y: Array) -> Array:
        return np.cos(x)
