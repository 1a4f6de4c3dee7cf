"""reshape on the Cpu: numpy's reshape (a view whenever the strides allow)."""

from dfdx_py.devices.cpu import Array
from dfdx_py.ops.reshape import RESHAPE


@RESHAPE.register("cpu")
class ReshapeCpu:
    def forward(self, x: Array, shape: tuple[int, ...]) -> Array:
        return x.reshape(shape)

    def backward(self, grad_y: Array, x_shape: tuple[int, ...]) -> Array:
        return grad_y.reshape(x_shape)
