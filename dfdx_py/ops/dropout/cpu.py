"""dropout on the Cpu."""

from typing import Any

import numpy as np

from dfdx_py.ops.dropout import DROPOUT

Array = np.ndarray[Any, Any]


@DROPOUT.register("cpu")
class DropoutCpu:
    def forward(self, x: Array, mask: Array, p: float) -> Array:
        return np.where(mask, x * (1.0 / (1.0 - p)), 0)

    def backward(self, grad_y: Array, mask: Array, p: float) -> Array:
        return np.where(mask, grad_y * (1.0 / (1.0 - p)), 0)
