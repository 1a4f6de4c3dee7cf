"""maximum on the Cpu."""

from collections.abc import Sequence

import numpy as np

from dfdx_py.ops.elementwise import Array, BinaryCpu, UnaryCpu
from dfdx_py.ops.maximum import MAXIMUM, SCALAR_MAXIMUM


def winner_grad(x: Array, other: Array | float, grad_y: Array, loses: np.ufunc = np.less) -> Array:
    """``grad_y`` where ``x`` wins (is not ``loses`` against ``other``), half of it at a tie,
    0 where it loses: ``maximum`` passes ``np.less``, ``minimum`` passes ``np.greater``.

    NaN comparisons are false, so a NaN operand gets the whole gradient (as in PyTorch).
    """
    grad = np.where(loses(x, other), 0, np.where(x == other, grad_y * 0.5, grad_y))
    return np.asarray(grad, dtype=grad_y.dtype)  # bf16 promotes Python floats


@MAXIMUM.register("cpu")
class MaximumCpu(BinaryCpu):
    def f(self, a: Array, b: Array) -> Array:
        return np.asarray(np.maximum(a, b))  # an array even at rank 0

    def backward(
        self, a: Array, b: Array, y: Array, grad_y: Array, needs: Sequence[bool]
    ) -> tuple[Array | None, Array | None]:
        grad_a = winner_grad(a, b, grad_y) if needs[0] else None
        grad_b = winner_grad(b, a, grad_y) if needs[1] else None
        return grad_a, grad_b


@SCALAR_MAXIMUM.register("cpu")
class ScalarMaximumCpu(UnaryCpu):
    def f(self, x: Array, scalar: float) -> Array:
        return np.asarray(np.maximum(x, x.dtype.type(scalar)))  # the scalar in x's dtype

    def backward(self, x: Array, y: Array, grad_y: Array, scalar: float) -> Array:
        return winner_grad(x, x.dtype.type(scalar), grad_y)
