"""tanh on the Cpu."""

import numpy as np

from dfdx_py.ops.elementwise import Array, UnaryCpu
from dfdx_py.ops.tanh import TANH


@TANH.register("cpu")
class TanhCpu(UnaryCpu):
    def f(self, x: Array) -> Array:
        return np.tanh(x)

    def df(self, x: Array, y: Array) -> Array:
        return 1 - y * y
