"""add on the Cpu."""

from collections.abc import Sequence

import numpy as np

from dfdx_py.ops.add import ADD, SCALAR_ADD
from dfdx_py.ops.elementwise import Array, BinaryCpu, UnaryCpu


@ADD.register("cpu")
class AddCpu(BinaryCpu):
    def f(self, a: Array, b: Array) -> Array:
        return a + b

    def backward(
        self, a: Array, b: Array, y: Array, grad_y: Array, needs: Sequence[bool]
    ) -> tuple[Array | None, Array | None]:
        return (grad_y if needs[0] else None), (grad_y if needs[1] else None)


@SCALAR_ADD.register("cpu")
class ScalarAddCpu(UnaryCpu):
    def f(self, x: Array, scalar: float) -> Array:
        return np.asarray(x + x.dtype.type(scalar))  # the scalar takes x's dtype (bf16 too)

    def backward(self, x: Array, y: Array, grad_y: Array, scalar: float) -> Array:
        return grad_y
