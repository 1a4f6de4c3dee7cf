"""``Bias1D[M]`` and ``Bias2D[C]``: a learned offset, per feature or per channel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from dfdx_py.errors import ShapeError
from dfdx_py.nn.linear import check_last_dim
from dfdx_py.nn.module import Module
from dfdx_py.tensor import Tensor

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device
    from dfdx_py.dtypes import DType

T = Tensor[Any, Any, Any]


class Bias1D(Module):
    """``x + bias`` with ``bias`` ``(M,)`` (zeros) added along the last axis of ``(..., M)``
    (PyTorch: the bias of ``nn.Linear``; dfdx's ``Bias1D``)::

        model = dev.build_module(tuple[nn.UnbiasedLinear[4, 8], nn.Bias1D[8]], f32)
        model(dev.zeros((2, 4))).shape       # (2, 8)
    """

    arch_params = ("features",)
    features: ClassVar[int]
    bias: T

    def init(self, device: Device, dtype: type[DType]) -> None:
        self.bias = device.zeros((self.features,), dtype=dtype)

    def forward(self, x: T) -> T:
        check_last_dim(self, x, self.features)
        return x + self.bias.broadcast_to(x.shape)


class Bias2D(Module):
    """``x + bias`` with ``bias`` ``(C,)`` (zeros) added to every pixel of channel ``c`` of an
    image ``(C, H, W)`` or ``(B, C, H, W)`` (PyTorch: the bias of ``nn.Conv2d``; dfdx's
    ``Bias2D``, the bias of its unbiased convolutions)::

        model = dev.build_module(tuple[nn.Conv2D[3, 8, 3], nn.Bias2D[8]], f32)
        model(dev.zeros((3, 16, 16))).shape  # (8, 14, 14)
    """

    arch_params = ("channels",)
    channels: ClassVar[int]
    bias: T

    def init(self, device: Device, dtype: type[DType]) -> None:
        self.bias = device.zeros((self.channels,), dtype=dtype)

    def forward(self, x: T) -> T:
        if x.ndim not in (3, 4) or x.shape[-3] != self.channels:
            raise ShapeError(
                f"{type(self)!r} expects an input (C, H, W) or (B, C, H, W) with "
                f"C = {self.channels}, got shape {x.shape}"
            )
        spatial = (x.ndim - 2, x.ndim - 1)
        new_axes = spatial if x.ndim == 3 else (0, *spatial)
        return x + self.bias.broadcast_to(x.shape, new_axes)
