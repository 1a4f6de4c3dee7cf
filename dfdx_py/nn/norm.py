"""Normalisation layers: ``LayerNorm1D[M]``, ``BatchNorm1D[C]``, ``BatchNorm2D[C]``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from dfdx_py.dtypes import i64
from dfdx_py.errors import ShapeError
from dfdx_py.nn.linear import check_last_dim
from dfdx_py.nn.module import Module, is_training
from dfdx_py.tensor import Tensor

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device
    from dfdx_py.dtypes import DType

T = Tensor[Any, Any, Any]


class LayerNorm1D(Module):
    """Normalises the last axis to mean 0 and variance 1 (biased variance, ``eps`` 1e-5),
    then scales by ``weight`` ``(M,)`` (ones) and shifts by ``bias`` ``(M,)`` (zeros):
    ``torch.nn.LayerNorm(M)``. Input ``(..., M)``::

        norm = dev.build_module(nn.LayerNorm1D[16], f32)
        norm(dev.sample_normal((4, 10, 16))).shape     # (4, 10, 16)
    """

    arch_params = ("normalized_shape",)
    normalized_shape: ClassVar[int]
    eps: ClassVar[float] = 1e-5
    weight: T
    bias: T

    def init(self, device: Device, dtype: type[DType]) -> None:
        self.weight = device.ones((self.normalized_shape,), dtype=dtype)
        self.bias = device.zeros((self.normalized_shape,), dtype=dtype)

    def forward(self, x: T) -> T:
        check_last_dim(self, x, self.normalized_shape)
        shape = x.shape
        y = x.normalize(-1, self.eps)
        return y * self.weight.broadcast_to(shape) + self.bias.broadcast_to(shape)


class _BatchNorm(Module):
    """What ``BatchNorm1D`` and ``BatchNorm2D`` share; they differ in the inputs they take
    and so in where the channel axis is."""

    arch_params = ("num_features",)
    num_features: ClassVar[int]
    eps: ClassVar[float] = 1e-5
    momentum: ClassVar[float] = 0.1
    buffers = ("running_mean", "running_var", "num_batches_tracked")
    weight: T
    bias: T
    running_mean: T
    running_var: T
    num_batches_tracked: T

    def init(self, device: Device, dtype: type[DType]) -> None:
        c = (self.num_features,)
        self.weight = device.ones(c, dtype=dtype)
        self.bias = device.zeros(c, dtype=dtype)
        self.running_mean = device.zeros(c, dtype=dtype)
        self.running_var = device.ones(c, dtype=dtype)
        self.num_batches_tracked = device.zeros((), dtype=i64)

    def channel_axis(self, x: T) -> int:
        """The channel axis of ``x``; ``ShapeError`` naming the module if ``x`` does not fit."""
        raise NotImplementedError

    def _check_channels(self, x: T, axis: int, layout: str) -> None:
        if x.shape[axis] != self.num_features:
            raise ShapeError(
                f"{type(self)!r} expects {self.num_features} channels at axis {axis} of "
                f"{layout}, got {x.shape[axis]} (input shape {x.shape})"
            )

    def forward(self, x: T) -> T:
        axis = self.channel_axis(x)
        shape = x.shape
        others = tuple(i for i in range(x.ndim) if i != axis)
        if is_training():
            n = x.numel // self.num_features
            if n < 2:
                raise ShapeError(
                    f"{type(self)!r} needs more than one value per channel to train, got "
                    f"input shape {shape}"
                )
            self._update_running_stats(x.detach(), others, n)
            y = x.normalize(others, self.eps)
            scale, shift = self.weight, self.bias
        else:
            # (x - mean) / std * weight + bias == x * scale + shift: two ops on the input
            std = (self.running_var + self.eps).sqrt()
            scale = self.weight / std
            shift = self.bias - self.running_mean * scale
            y = x
        return y * scale.broadcast_to(shape, others) + shift.broadcast_to(shape, others)

    def _update_running_stats(self, x: T, axes: tuple[int, ...], n: int) -> None:
        """The running statistics move towards the batch's by ``momentum``: the mean, and the
        *unbiased* variance (PyTorch's and dfdx's rule). The buffers keep their identity."""
        m = self.momentum
        mean = x.mean(axes)
        var = x.var(axes) * (n / (n - 1))
        self.running_mean._data = (self.running_mean * (1.0 - m) + mean * m)._data
        self.running_var._data = (self.running_var * (1.0 - m) + var * m)._data
        self.num_batches_tracked._data = (self.num_batches_tracked + 1)._data


class BatchNorm1D(_BatchNorm):
    """Batch normalisation of ``(B, C)`` or ``(B, C, L)`` per channel ``C``:
    ``torch.nn.BatchNorm1d(C)``. Parameters ``weight`` ``(C,)`` (ones) and ``bias`` ``(C,)``
    (zeros); buffers ``running_mean`` (zeros), ``running_var`` (ones) and
    ``num_batches_tracked`` (an ``i64`` count); ``eps`` 1e-5, ``momentum`` 0.1.

    - training (``forward_mut``): normalises with the batch's mean and biased variance, and
      moves the running statistics towards the batch's (the unbiased variance);
    - inference (``model(x)``): normalises with the running statistics::

        bn = dev.build_module(nn.BatchNorm1D[8], f32)
        y = bn.forward_mut(dev.sample_normal((32, 8)))   # updates running_mean / running_var
        y = bn(dev.sample_normal((4, 8)))                # uses them
    """

    def channel_axis(self, x: T) -> int:
        if x.ndim not in (2, 3):
            raise ShapeError(
                f"{type(self)!r} expects an input (B, C) or (B, C, L), got shape {x.shape}"
            )
        self._check_channels(x, 1, "(B, C)" if x.ndim == 2 else "(B, C, L)")
        return 1


class BatchNorm2D(_BatchNorm):
    """Batch normalisation of images ``(C, H, W)`` or ``(B, C, H, W)`` per channel ``C``:
    ``torch.nn.BatchNorm2d(C)``. Parameters ``weight`` ``(C,)`` (ones) and ``bias`` ``(C,)``
    (zeros); buffers ``running_mean`` (zeros), ``running_var`` (ones) and
    ``num_batches_tracked``; ``eps`` 1e-5, ``momentum`` 0.1.

    - training (``forward_mut``): normalises with the batch's statistics over every axis
      but the channel axis, and moves the running statistics towards them;
    - inference (``model(x)``): normalises with the running statistics::

        bn = dev.build_module(nn.BatchNorm2D[3], f32)
        y = bn.forward_mut(dev.sample_normal((16, 3, 8, 8)))
        y = bn(dev.sample_normal((3, 8, 8)))
    """

    def channel_axis(self, x: T) -> int:
        if x.ndim not in (3, 4):
            raise ShapeError(
                f"{type(self)!r} expects an input (C, H, W) or (B, C, H, W), got shape {x.shape}"
            )
        axis = x.ndim - 3
        self._check_channels(x, axis, "(C, H, W)" if x.ndim == 3 else "(B, C, H, W)")
        return axis
