"""``PReLU``: a leaky ReLU whose negative slope is learned."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfdx_py.nn.module import Module
from dfdx_py.ops.choose import choose
from dfdx_py.tensor import Tensor

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device
    from dfdx_py.dtypes import DType

T = Tensor[Any, Any, Any]


class PReLU(Module):
    """``x`` where ``x > 0``, else ``weight·x``, with one learned slope ``weight`` ``(1,)``
    initialised to 0.25. PyTorch: ``torch.nn.PReLU()`` (dfdx's ``PReLU``). Any input
    shape; the gradient at 0 follows the negative side, as PyTorch's::

        act = dev.build_module(nn.PReLU, f32)
        act(dev.tensor([-2.0, 3.0])).numpy()     # [-0.5, 3.0]
    """

    weight: T

    def init(self, device: Device, dtype: type[DType]) -> None:
        self.weight = device.full((1,), 0.25, dtype=dtype)

    def forward(self, x: T) -> T:
        slope = self.weight.reshape(()).broadcast_to(x.shape)
        return choose(x > 0, x, x * slope)
