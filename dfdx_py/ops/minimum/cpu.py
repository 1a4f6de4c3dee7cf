"""minimum on the Cpu."""

from collections.abc import Sequence

import numpy as np

from dfdx_py.ops.elementwise import Array, BinaryCpu, UnaryCpu
from dfdx_py.ops.minimum import MINIMUM, SCALAR_MINIMUM


def smaller_grad(x: Array, other: Array | float, grad_y: Array) -> Array:
    """``grad_y`` where ``x`` is the smaller operand, half of it at a tie, 0 where larger.

    NaN comparisons are false, so a NaN operand gets the whole gradient (as in PyTorch).
    """
    grad = np.where(x > other, 0, np.where(x == other, grad_y * 0.5, grad_y))
    return np.asarray(grad, dtype=grad_y.dtype)  # bf16 promotes Python floats


@MINIMUM.register("cpu")
class MinimumCpu(BinaryCpu):
    def f(self, a: Array, b: Array) -> Array:
        return np.asarray(np.minimum(a, b))  # an array even at rank 0

    def backward(
        self, a: Array, b: Array, y: Array, grad_y: Array, needs: Sequence[bool]
    ) -> tuple[Array | None, Array | None]:
        grad_a = smaller_grad(a, b, grad_y) if needs[0] else None
        grad_b = smaller_grad(b, a, grad_y) if needs[1] else None
        return grad_a, grad_b


@SCALAR_MINIMUM.register("cpu")
class ScalarMinimumCpu(UnaryCpu):
    def f(self, x: Array, scalar: float) -> Array:
        return np.asarray(np.minimum(x, x.dtype.type(scalar)))  # the scalar in x's dtype

    def backward(self, x: Array, y: Array, grad_y: Array, scalar: float) -> Array:
        return smaller_grad(x, x.dtype.type(scalar), grad_y)
