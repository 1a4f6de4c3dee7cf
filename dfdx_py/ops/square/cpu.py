"""square on the Cpu."""

from dfdx_py.ops.elementwise import Array, UnaryCpu
from dfdx_py.ops.square import SQUARE


@SQUARE.register("cpu")
class SquareCpu(UnaryCpu):
    def f(self, x: Array) -> Array:
        return x * x

    def backward(self, x: Array, y: Array, grad_y: Array) -> Array:
        grad: Array = grad_y * (2 * x)
        return grad
