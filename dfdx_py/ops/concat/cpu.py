"""concat on the Cpu: ``np.concatenate``; the backward pass returns views of ``grad_y``."""

from collections.abc import Sequence

import numpy as np

from dfdx_py.devices.cpu import Array
from dfdx_py.ops.concat import CONCAT


@CONCAT.register("cpu")
class ConcatCpu:
    def forward(self, xs: Sequence[Array], axis: int) -> Array:
        return np.concatenate(xs, axis=axis)

    def backward(
        self, grad_y: Array, sizes: Sequence[int], axis: int, needs: Sequence[bool]
    ) -> list[Array | None]:
        grads: list[Array | None] = []
        start = 0
        lead = (slice(None),) * axis
        for size, need in zip(sizes, needs, strict=True):
            grads.append(grad_y[(*lead, slice(start, start + size))] if need else None)
            start += size
        return grads
