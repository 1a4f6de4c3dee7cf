"""nans_to on the Cpu."""

import numpy as np

from dfdx_py.ops.elementwise import Array, UnaryCpu
from dfdx_py.ops.nans_to import NANS_TO


@NANS_TO.register("cpu")
class NansToCpu(UnaryCpu):
    def f(self, x: Array, value: float) -> Array:
        return np.where(np.isnan(x), value, x)

    def backward(self, x: Array, y: Array, grad_y: Array, value: float) -> Array:
        return np.where(np.isnan(x), 0, grad_y)
