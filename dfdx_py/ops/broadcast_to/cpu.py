"""broadcast_to on the Cpu: a read-only numpy view; backward is the fast sum of ops/sum."""

from typing import Any

import numpy as np

from dfdx_py.ops.broadcast_to import BROADCAST_TO
from dfdx_py.ops.cpu_common import sum_axes

Array = np.ndarray[Any, Any]


@BROADCAST_TO.register("cpu")
class BroadcastToCpu:
    def forward(self, x: Array, shape: tuple[int, ...], axes: tuple[int, ...]) -> Array:
        return np.broadcast_to(np.expand_dims(x, axes), shape)

    def backward(self, grad_y: Array, axes: tuple[int, ...]) -> Array:
        return sum_axes(grad_y, axes) if axes else grad_y
