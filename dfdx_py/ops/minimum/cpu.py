"""minimum on the Cpu."""

from collections.abc import Sequence

import numpy as np

from dfdx_py.ops.elementwise import Array, BinaryCpu, UnaryCpu
from dfdx_py.ops.maximum.cpu import winner_grad
from dfdx_py.ops.minimum import MINIMUM, SCALAR_MINIMUM


@MINIMUM.register("cpu")
class MinimumCpu(BinaryCpu):
    def f(self, a: Array, b: Array) -> Array:
        return np.asarray(np.minimum(a, b))  # an array even at rank 0

    def backward(
        self, a: Array, b: Array, y: Array, grad_y: Array, needs: Sequence[bool]
    ) -> tuple[Array | None, Array | None]:
        grad_a = winner_grad(a, b, grad_y, np.greater) if needs[0] else None
        grad_b = winner_grad(b, a, grad_y, np.greater) if needs[1] else None
        return grad_a, grad_b


@SCALAR_MINIMUM.register("cpu")
class ScalarMinimumCpu(UnaryCpu):
    def f(self, x: Array, scalar: float) -> Array:
        return np.asarray(np.minimum(x, x.dtype.type(scalar)))  # the scalar in x's dtype

    def backward(self, x: Array, y: Array, grad_y: Array, scalar: float) -> Array:
        return winner_grad(x, x.dtype.type(scalar), grad_y, np.greater)
