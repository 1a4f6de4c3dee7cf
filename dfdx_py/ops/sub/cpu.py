"""sub on the Cpu."""

from collections.abc import Sequence

import numpy as np

from dfdx_py.ops.elementwise import Array, BinaryCpu, UnaryCpu
from dfdx_py.ops.sub import SCALAR_SUB, SUB


@SUB.register("cpu")
class SubCpu(BinaryCpu):
    def f(self, a: Array, b: Array) -> Array:
        return np.asarray(a - b)  # an array even at rank 0

    def backward(
        self, a: Array, b: Array, y: Array, grad_y: Array, needs: Sequence[bool]
    ) -> tuple[Array | None, Array | None]:
        return (grad_y if needs[0] else None), (np.negative(grad_y) if needs[1] else None)


@SCALAR_SUB.register("cpu")
class ScalarSubCpu(UnaryCpu):
    def f(self, x: Array, scalar: float) -> Array:
        # the scalar in x's dtype first, as NumPy (NEP 50) and PyTorch do
        return np.asarray(x - x.dtype.type(scalar))

    def backward(self, x: Array, y: Array, grad_y: Array, scalar: float) -> Array:
        return grad_y
