"""sigmoid on the Cpu."""

import numpy as np

from dfdx_py.ops.elementwise import Array, UnaryCpu
from dfdx_py.ops.sigmoid import SIGMOID


@SIGMOID.register("cpu")
class SigmoidCpu(UnaryCpu):
    def f(self, x: Array) -> Array:
        # e = e^-|x| never overflows; sigmoid(x) = 1/(1+e) for x >= 0 and e/(1+e) below.
        e = np.exp(-np.abs(x))
        y: Array = np.where(x >= 0, 1, e) / (1 + e)
        return y

    def df(self, x: Array, y: Array) -> Array:
        dy: Array = y * (1 - y)
        return dy
