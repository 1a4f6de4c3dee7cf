"""max on the Cpu (also the backward shared with min)."""

import numpy as np

from dfdx_py.ops.max import MAX
from dfdx_py.ops.reduction import Array, expand_to


def extremum_backward(x: Array, y: Array, grad_y: Array, axes: tuple[int, ...]) -> Array:
    """dfdx's rule: every element equal to the result gets the full ``grad_y``."""
    mask = x == expand_to(y, axes, x.shape)
    return np.where(mask, expand_to(grad_y, axes, x.shape), grad_y.dtype.type(0))


@MAX.register("cpu")
class MaxCpu:
    def forward(self, x: Array, axes: tuple[int, ...]) -> Array:
        return np.asarray(np.max(x, axis=axes))

    def backward(self, x: Array, y: Array, grad_y: Array, axes: tuple[int, ...]) -> Array:
        return extremum_backward(x, y, grad_y, axes)
