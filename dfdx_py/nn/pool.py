"""Pooling layers: ``AvgPool2D``, ``MaxPool2D``, ``MinPool2D`` ``[K, S=1, P=0]`` over windows,
and ``AvgPoolGlobal``, ``MaxPoolGlobal``, ``MinPoolGlobal`` over the whole image."""

from __future__ import annotations

from typing import Any, ClassVar

from dfdx_py.errors import ShapeError
from dfdx_py.nn.module import Module
from dfdx_py.ops.pool2d import PoolKind, pool2d
from dfdx_py.tensor import Tensor

T = Tensor[Any, Any, Any]


def _check_image(module: Module, x: T) -> None:
    if x.ndim not in (3, 4):
        raise ShapeError(
            f"{type(module)!r} expects an input (C, H, W) or (B, C, H, W), got shape {x.shape}"
        )


class _Pool2D(Module):
    """The arguments and forward pass the three windowed pools share."""

    arch_params = ("kernel_size", "stride", "padding")
    arch_defaults = (1, 0)
    kernel_size: ClassVar[int]
    stride: ClassVar[int]
    padding: ClassVar[int]
    kind: ClassVar[PoolKind]

    @classmethod
    def check_arch_args(cls, args: tuple[Any, ...]) -> dict[str, Any]:
        values = super().check_arch_args(args)
        for name in ("kernel_size", "stride"):
            if values[name] < 1:
                raise TypeError(f"{cls!r}: {name} must be an int >= 1, got {values[name]!r}")
        if values["padding"] >= values["kernel_size"]:
            raise TypeError(
                f"{cls!r}: padding {values['padding']} must be smaller than the kernel "
                f"{values['kernel_size']} (a window would hold nothing but padding)"
            )
        return values

    def forward(self, x: T) -> T:
        _check_image(self, x)
        try:
            return pool2d(x, self.kind, self.kernel_size, self.stride, self.padding)
        except ShapeError as e:  # the input is smaller than the window: say which module
            raise ShapeError(f"{type(self)!r}: {e}") from None


class AvgPool2D(_Pool2D):
    """Mean of each ``K×K`` window of ``(C, H, W)`` or ``(B, C, H, W)``, moved by ``S``, on
    the input zero-padded by ``P``: ``(…, C, H', W')``, ``H' = (H + 2P - K) // S + 1``.
    Padded zeros count in the mean. PyTorch: ``torch.nn.AvgPool2d(K, S, P)`` (note that
    PyTorch's stride defaults to ``K``, dfdx's and this one's to 1)::

        pool = dev.build_module(nn.AvgPool2D[2, 2], f32)
        pool(dev.zeros((3, 8, 8))).shape     # (3, 4, 4)
    """

    kind = "avg"


class MaxPool2D(_Pool2D):
    """Maximum of each ``K×K`` window (padding never wins), as ``AvgPool2D`` otherwise.
    PyTorch: ``torch.nn.MaxPool2d(K, S, P)``; tied maxima each get the full gradient
    (dfdx's rule)::

        pool = dev.build_module(nn.MaxPool2D[3, 2, 1], f32)
        pool(dev.zeros((1, 3, 8, 8))).shape  # (1, 3, 4, 4)
    """

    kind = "max"


class MinPool2D(_Pool2D):
    """Minimum of each ``K×K`` window, as ``MaxPool2D`` otherwise. PyTorch:
    ``-torch.nn.MaxPool2d(K, S, P)(-x)``::

        pool = dev.build_module(nn.MinPool2D[2], f32)
        pool(dev.zeros((3, 8, 8))).shape     # (3, 7, 7)
    """

    kind = "min"


class AvgPoolGlobal(Module):
    """Mean over the two spatial axes: ``(C, H, W) -> (C,)``, ``(B, C, H, W) -> (B, C)``.
    PyTorch: ``torch.nn.AdaptiveAvgPool2d(1)`` then ``flatten``, or ``x.mean((-2, -1))``::

        pool = dev.build_module(nn.AvgPoolGlobal, f32)
        pool(dev.zeros((8, 16, 7, 7))).shape   # (8, 16)
    """

    def forward(self, x: T) -> T:
        _check_image(self, x)
        return x.mean((-2, -1))


class MaxPoolGlobal(Module):
    """Maximum over the two spatial axes: ``(C, H, W) -> (C,)``, ``(B, C, H, W) -> (B, C)``.
    PyTorch: ``x.amax((-2, -1))``::

        pool = dev.build_module(nn.MaxPoolGlobal, f32)
        pool(dev.zeros((16, 7, 7))).shape      # (16,)
    """

    def forward(self, x: T) -> T:
        _check_image(self, x)
        return x.max((-2, -1))


class MinPoolGlobal(Module):
    """Minimum over the two spatial axes: ``(C, H, W) -> (C,)``, ``(B, C, H, W) -> (B, C)``.
    PyTorch: ``x.amin((-2, -1))``::

        pool = dev.build_module(nn.MinPoolGlobal, f32)
        pool(dev.zeros((16, 7, 7))).shape      # (16,)
    """

    def forward(self, x: T) -> T:
        _check_image(self, x)
        return x.min((-2, -1))
