"""abs on the Cpu."""

import numpy as np

from dfdx_py.ops.abs import ABS
from dfdx_py.ops.elementwise import Array, UnaryCpu


@ABS.register("cpu")
class AbsCpu(UnaryCpu):
    def f(self, x: Array) -> Array:
        return np.abs(x)

    def df(self, x: Array, y: Array) -> Array:
        return np.sign(x)
