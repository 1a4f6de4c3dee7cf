"""Layers that only rearrange or resize: ``Flatten2D``, ``Reshape[d0, ..., dn]`` and
``Upscale2D[OH, OW, mode="nearest"]``."""

from __future__ import annotations

import typing
from typing import Any, ClassVar, Literal

from dfdx_py.errors import ShapeError
from dfdx_py.nn.module import Module
from dfdx_py.ops.conv2d import as_int
from dfdx_py.ops.upscale2d import MODES, UpscaleMode, upscale2d
from dfdx_py.tensor import Tensor

T = Tensor[Any, Any, Any]


class Flatten2D(Module):
    """An image flattened to a vector: ``(C, H, W) -> (C·H·W,)`` and
    ``(B, C, H, W) -> (B, C·H·W)`` (dfdx's ``Flatten2D``; PyTorch:
    ``torch.nn.Flatten(-3)``)::

        Model = tuple[nn.Conv2D[1, 4, 3], nn.Flatten2D, nn.Linear[2704, 10]]  # 4·26·26
        dev.build_module(Model, f32)(dev.zeros((8, 1, 28, 28))).shape   # (8, 10)
    """

    def forward(self, x: T) -> T:
        if x.ndim not in (3, 4):
            raise ShapeError(
                f"{type(self)!r} expects an input (C, H, W) or (B, C, H, W), got shape {x.shape}"
            )
        c, h, w = x.shape[-3:]
        return x.reshape((*x.shape[:-3], c * h * w))


class Reshape(Module):
    """``x.reshape((d0, ..., dn))``: the same elements in the shape written, of 1 to 6
    dims, one of which may be -1 (inferred). dfdx's ``Reshape<S>``; PyTorch:
    ``torch.nn.Unflatten`` / ``x.reshape(...)``. The shape includes any batch dim::

        model = dev.build_module(nn.Reshape[-1, 4, 4], f32)
        model(dev.zeros((8, 16))).shape    # (8, 4, 4)

    The shape must hold the input's elements (``ShapeError`` naming the module).
    """

    arch_params = ("shape",)
    shape: ClassVar[tuple[int, ...]]

    @classmethod
    def check_arch_args(cls, args: tuple[Any, ...]) -> dict[str, Any]:
        if cls.arch_args is not None:
            raise TypeError(f"{cls!r} already has its arguments")
        if not 1 <= len(args) <= 6:
            raise TypeError(f"{cls!r} takes 1 to 6 dims, got {len(args)}")
        dims = [as_int(d) for d in args]
        for value, dim in zip(args, dims, strict=True):
            if dim is None or dim < -1:
                raise TypeError(f"{cls!r}: each dim must be an int >= 0 or -1, got {value!r}")
        if dims.count(-1) > 1:
            raise TypeError(f"{cls!r}: at most one dim may be -1, got {args}")
        return {"shape": tuple(d for d in dims if d is not None)}

    def forward(self, x: T) -> T:
        try:
            return x.reshape(self.shape)
        except ShapeError as e:
            raise ShapeError(f"{type(self)!r}: {e}") from None


class Upscale2D(Module):
    """An image resized up to ``(…, C, OH, OW)`` from ``(C, H, W)`` or ``(B, C, H, W)``,
    ``OH >= H`` and ``OW >= W``, by ``mode`` ``"nearest"`` (the default) or ``"bilinear"``
    (corners aligned, as dfdx). PyTorch: ``torch.nn.Upsample(size=(OH, OW), mode="nearest")``
    or ``(..., mode="bilinear", align_corners=True)``. In an annotation or a type alias write
    the mode ``Literal["bilinear"]`` (a bare string there is a forward reference to mypy)::

        up = dev.build_module(nn.Upscale2D[32, 32, "bilinear"], f32)
        up(dev.zeros((3, 16, 16))).shape     # (3, 32, 32)
    """

    arch_params = ("height", "width", "mode")
    arch_defaults = ("nearest",)
    height: ClassVar[int]
    width: ClassVar[int]
    mode: ClassVar[UpscaleMode]

    @classmethod
    def check_arch_args(cls, args: tuple[Any, ...]) -> dict[str, Any]:
        if cls.arch_args is not None:
            raise TypeError(f"{cls!r} already has its arguments")
        if len(args) not in (2, 3):
            raise TypeError(
                f"{cls!r} takes 2 to 3 arguments (height, width, mode), got {len(args)}"
            )
        for name, value in zip(("height", "width"), args[:2], strict=True):
            size = as_int(value)
            if size is None or size < 1:
                raise TypeError(f"{cls!r}: {name} must be an int >= 1, got {value!r}")
        mode = args[2] if len(args) == 3 else "nearest"
        if typing.get_origin(mode) is Literal and len(typing.get_args(mode)) == 1:
            mode = typing.get_args(mode)[0]  # Literal["bilinear"]: the spelling mypy accepts
        if not isinstance(mode, str) or mode not in MODES:
            raise TypeError(f"{cls!r}: mode must be 'nearest' or 'bilinear', got {mode!r}")
        return {"height": int(args[0]), "width": int(args[1]), "mode": mode}

    def forward(self, x: T) -> T:
        if x.ndim not in (3, 4):
            raise ShapeError(
                f"{type(self)!r} expects an input (C, H, W) or (B, C, H, W), got shape {x.shape}"
            )
        try:
            return upscale2d(x, (self.height, self.width), self.mode)
        except ShapeError as e:
            raise ShapeError(f"{type(self)!r}: {e}") from None
