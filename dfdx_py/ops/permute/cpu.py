"""permute on the Cpu: a transposed view."""

import numpy as np

from dfdx_py.devices.cpu import Array
from dfdx_py.ops.permute import PERMUTE


@PERMUTE.register("cpu")
class PermuteCpu:
    def forward(self, x: Array, axes: tuple[int, ...]) -> Array:
        return np.transpose(x, axes)
