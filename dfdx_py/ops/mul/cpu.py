"""mul on the Cpu."""

import numpy as np

from dfdx_py.ops.elementwise import Array, BinaryCpu, UnaryCpu
from dfdx_py.ops.mul import MUL, SCALAR_MUL


@MUL.register("cpu")
class MulCpu(BinaryCpu):
    def f(self, a: Array, b: Array) -> Array:
        return a * b

    def dfa(self, a: Array, b: Array, y: Array) -> Array:
        return b

    def dfb(self, a: Array, b: Array, y: Array) -> Array:
        return a


@SCALAR_MUL.register("cpu")
class ScalarMulCpu(UnaryCpu):
    def f(self, x: Array, scalar: float) -> Array:
        return np.asarray(x * x.dtype.type(scalar))  # the scalar takes x's dtype (bf16 too)

    def backward(self, x: Array, y: Array, grad_y: Array, scalar: float) -> Array:
        return np.asarray(grad_y * grad_y.dtype.type(scalar))
