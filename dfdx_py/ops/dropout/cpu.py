"""dropout on the Cpu."""

from typing import Any

import numpy as np

from dfdx_py.ops.cpu_common import in_f32
from dfdx_py.ops.dropout import DROPOUT

Array = np.ndarray[Any, Any]


@DROPOUT.register("cpu")
class DropoutCpu:
    def forward(self, x: Array, mask: Array, p: float) -> Array:
        if x.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return in_f32(self.forward, x, mask, p)
        return np.where(mask, x * (1.0 / (1.0 - p)), 0)

    def backward(self, grad_y: Array, mask: Array, p: float) -> Array:
        if grad_y.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return in_f32(self.backward, grad_y, mask, p)
        return np.where(mask, grad_y * (1.0 / (1.0 - p)), 0)
