"""choose on the Cpu."""

from collections.abc import Sequence
from typing import Any

import numpy as np

from dfdx_py.ops.choose import CHOOSE

Array = np.ndarray[Any, Any]


@CHOOSE.register("cpu")
class ChooseCpu:
    def forward(self, cond: Array, a: Array, b: Array) -> Array:
        return np.where(cond, a, b)

    def backward(
        self, cond: Array, grad_y: Array, needs: Sequence[bool]
    ) -> tuple[Array | None, Array | None]:
        grad_a = np.where(cond, grad_y, 0) if needs[0] else None
        grad_b = np.where(cond, 0, grad_y) if needs[1] else None
        return grad_a, grad_b
