"""broadcast_to on the Cuda device: Cuda storage has no strides, so the forward pass is a
strided copy (a stride of 0 along the new axes) and the backward pass the row reduction of
reduce.cu over them. Without new axes both are free."""

from typing import Any

from dfdx_py.devices.cuda.layout import broadcast, reduce
from dfdx_py.ops.broadcast_to import BROADCAST_TO


@BROADCAST_TO.register("cuda")
class BroadcastToCuda:
    def forward(self, x: Any, shape: tuple[int, ...], axes: tuple[int, ...]) -> Any:
        return broadcast(x, shape, axes) if axes else x

    def backward(self, grad_y: Any, axes: tuple[int, ...]) -> Any:
        return reduce(grad_y, axes, "sum") if axes else grad_y
