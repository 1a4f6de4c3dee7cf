"""roll on the Cpu: ``np.roll``."""

import numpy as np

from dfdx_py.devices.cpu import Array
from dfdx_py.ops.roll import ROLL


@ROLL.register("cpu")
class RollCpu:
    def forward(self, x: Array, shift: int, axis: int) -> Array:
        return np.roll(x, shift, axis=axis)
