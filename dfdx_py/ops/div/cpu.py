"""div on the Cpu. Division by zero gives ``inf``/``nan`` silently, as in PyTorch."""

from collections.abc import Sequence

import numpy as np

from dfdx_py.ops.div import DIV, SCALAR_DIV
from dfdx_py.ops.elementwise import Array, BinaryCpu, UnaryCpu


@DIV.register("cpu")
class DivCpu(BinaryCpu):
    def f(self, a: Array, b: Array) -> Array:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(a / b)  # an array even at rank 0

    def backward(
        self, a: Array, b: Array, y: Array, grad_y: Array, needs: Sequence[bool]
    ) -> tuple[Array | None, Array | None]:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            grad_a = np.asarray(grad_y / b) if needs[0] else None
            grad_b = np.asarray(-grad_y * (y / b)) if needs[1] else None  # -g·a/b², with y = a/b
        return grad_a, grad_b


@SCALAR_DIV.register("cpu")
class ScalarDivCpu(UnaryCpu):
    def f(self, x: Array, scalar: float) -> Array:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(x / x.dtype.type(scalar))  # the scalar in x's dtype (NEP 50, PyTorch)

    def backward(self, x: Array, y: Array, grad_y: Array, scalar: float) -> Array:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(grad_y / grad_y.dtype.type(scalar))
