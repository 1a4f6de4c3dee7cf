"""stack on the Cpu: ``np.stack``; the backward pass returns views of ``grad_y``."""

from collections.abc import Sequence
from typing import Any

import numpy as np

from dfdx_py.devices.cpu import Array
from dfdx_py.ops.stack import STACK


@STACK.register("cpu")
class StackCpu:
    def forward(self, xs: Sequence[Array], axis: int) -> Array:
        return np.stack(xs, axis=axis)

    def backward(self, grad_y: Array, axis: int, needs: Sequence[bool]) -> list[Array | None]:
        lead: tuple[Any, ...] = (slice(None),) * axis
        return [grad_y[(*lead, i)] if need else None for i, need in enumerate(needs)]
