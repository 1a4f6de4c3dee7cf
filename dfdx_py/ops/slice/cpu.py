"""slice on the Cpu: numpy basic indexing (a view); the backward pass writes into zeros."""

import numpy as np

from dfdx_py.devices.cpu import Array
from dfdx_py.ops.slice import SLICE, Index


@SLICE.register("cpu")
class SliceCpu:
    def forward(self, x: Array, index: Index) -> Array:
        # the trailing ``...`` keeps a 0-d array (not a numpy scalar) when every axis is an int
        return x[(*index, Ellipsis)]

    def backward(self, grad_y: Array, index: Index, x_shape: tuple[int, ...]) -> Array:
        grad_x = np.zeros(x_shape, dtype=grad_y.dtype)
        grad_x[index] = grad_y
        return grad_x
