"""Unbiased convolutions: ``Conv1D``, ``Conv2D`` and ``ConvTrans2D``
``[In, Out, K, Stride=1, Pad=0, Dilation=1, Groups=1]``.

As in dfdx they carry no bias: follow one with ``nn.Bias2D[Out]`` for PyTorch's default
``bias=True`` layer. Weights use PyTorch's layouts, so a PyTorch ``state_dict`` loads.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from dfdx_py.errors import ShapeError
from dfdx_py.nn.module import Module
from dfdx_py.ops.conv1d import conv1d
from dfdx_py.ops.conv2d import conv2d
from dfdx_py.ops.conv_transpose2d import conv_transpose2d
from dfdx_py.tensor import Tensor

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device
    from dfdx_py.dtypes import DType

T = Tensor[Any, Any, Any]


class _Conv(Module):
    """The arguments, their checks and the initialisation the three convolutions share."""

    arch_params = (
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "groups",
    )
    arch_defaults = (1, 0, 1, 1)
    in_channels: ClassVar[int]
    out_channels: ClassVar[int]
    kernel_size: ClassVar[int]
    stride: ClassVar[int]
    padding: ClassVar[int]
    dilation: ClassVar[int]
    groups: ClassVar[int]
    spatial_dims: ClassVar[int] = 2
    weight: T

    @classmethod
    def check_arch_args(cls, args: tuple[Any, ...]) -> dict[str, Any]:
        values = super().check_arch_args(args)
        for name in ("in_channels", "out_channels", "kernel_size", "stride", "dilation", "groups"):
            if values[name] < 1:
                raise TypeError(f"{cls!r}: {name} must be an int >= 1, got {values[name]!r}")
        groups = values["groups"]
        for name in ("in_channels", "out_channels"):
            if values[name] % groups:
                raise TypeError(f"{cls!r}: groups={groups} must divide {name}={values[name]}")
        return values

    def weight_shape(self) -> tuple[int, ...]:
        """The weight's shape, PyTorch's layout."""
        k = (self.kernel_size,) * self.spatial_dims
        return (self.out_channels, self.in_channels // self.groups, *k)

    def init(self, device: Device, dtype: type[DType]) -> None:
        fan_in = self.in_channels // self.groups * self.kernel_size**self.spatial_dims
        bound = 1.0 / math.sqrt(fan_in)
        self.weight = device.sample_uniform(self.weight_shape(), -bound, bound, dtype=dtype)

    def _check_input(self, x: T) -> None:
        """``ShapeError`` naming the module unless ``x`` is ``(In, *spatial)`` or
        ``(B, In, *spatial)``."""
        rank = self.spatial_dims + 1
        names = ("L",) if self.spatial_dims == 1 else ("H", "W")
        layout = f"({', '.join(('In', *names))}) or ({', '.join(('B', 'In', *names))})"
        if x.ndim not in (rank, rank + 1):
            raise ShapeError(f"{type(self)!r} expects an input {layout}, got shape {x.shape}")
        c = x.shape[-rank]
        if c != self.in_channels:
            raise ShapeError(
                f"{type(self)!r} expects {self.in_channels} input channels at axis "
                f"{x.ndim - rank}, got {c} (input shape {x.shape})"
            )

    def forward(self, x: T) -> T:
        self._check_input(x)
        try:
            return self.apply(x)
        except ShapeError as e:  # the input is too small: say which module
            raise ShapeError(f"{type(self)!r}: {e}") from None

    def apply(self, x: T) -> T:
        """The convolution of a checked input."""
        raise NotImplementedError


class Conv1D(_Conv):
    """1-D convolution of ``(In, L)`` or ``(B, In, L)`` with ``weight``
    ``(Out, In/Groups, K)``, giving ``(…, Out, L')`` with
    ``L' = (L + 2·Pad - Dilation·(K-1) - 1) // Stride + 1``. The weight is initialised
    U(±1/√(In/Groups·K)). PyTorch: ``torch.nn.Conv1d(In, Out, K, Stride, Pad, Dilation,
    Groups, bias=False)``::

        conv = dev.build_module(nn.Conv1D[4, 8, 3, 1, 1], f32)
        conv(dev.zeros((2, 4, 10))).shape     # (2, 8, 10)
    """

    spatial_dims = 1

    def apply(self, x: T) -> T:
        return conv1d(x, self.weight, self.stride, self.padding, self.dilation, self.groups)


class Conv2D(_Conv):
    """2-D convolution of ``(In, H, W)`` or ``(B, In, H, W)`` with ``weight``
    ``(Out, In/Groups, K, K)``, giving ``(…, Out, H', W')`` with
    ``H' = (H + 2·Pad - Dilation·(K-1) - 1) // Stride + 1``. The weight is initialised
    U(±1/√(In/Groups·K·K)). PyTorch: ``torch.nn.Conv2d(In, Out, K, Stride, Pad, Dilation,
    Groups, bias=False)``; dfdx's ``Conv2D`` (add ``nn.Bias2D[Out]`` for a bias)::

        conv = dev.build_module(nn.Conv2D[3, 16, 3, 2, 1], f32)
        conv(dev.zeros((8, 3, 32, 32))).shape   # (8, 16, 16, 16)
    """

    def apply(self, x: T) -> T:
        return conv2d(x, self.weight, self.stride, self.padding, self.dilation, self.groups)


class ConvTrans2D(_Conv):
    """Transposed 2-D convolution of ``(In, H, W)`` or ``(B, In, H, W)`` with ``weight``
    ``(In, Out/Groups, K, K)``, giving ``(…, Out, H', W')`` with
    ``H' = (H-1)·Stride - 2·Pad + Dilation·(K-1) + 1``. The weight is initialised
    U(±1/√(In/Groups·K·K)) (dfdx's rule; PyTorch's fan-in is ``Out/Groups·K·K``). PyTorch:
    ``torch.nn.ConvTranspose2d(In, Out, K, Stride, Pad, dilation=Dilation, groups=Groups,
    bias=False)``::

        up = dev.build_module(nn.ConvTrans2D[16, 3, 4, 2, 1], f32)
        up(dev.zeros((8, 16, 16, 16))).shape    # (8, 3, 32, 32)
    """

    def weight_shape(self) -> tuple[int, ...]:
        k = self.kernel_size
        return (self.in_channels, self.out_channels // self.groups, k, k)

    def apply(self, x: T) -> T:
        return conv_transpose2d(
            x, self.weight, self.stride, self.padding, self.dilation, self.groups
        )
