"""``Linear[I, O]`` and ``UnbiasedLinear[I, O]``: ``y = x Wᵀ (+ b)``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from dfdx_py.errors import ShapeError
from dfdx_py.nn.module import Module
from dfdx_py.ops.linear import linear
from dfdx_py.tensor import Tensor

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device
    from dfdx_py.dtypes import DType


def check_last_dim(module: Module, x: Tensor[Any, Any, Any], expected: int) -> None:
    """``ShapeError`` naming the module when ``x``'s last dim is not ``expected``."""
    if not x.shape or x.shape[-1] != expected:
        got = x.shape[-1] if x.shape else "a Rank0 tensor"
        raise ShapeError(
            f"{module.__class__!r} expects last dim {expected}, got {got} (input shape {x.shape})"
        )


class UnbiasedLinear(Module):
    """``y = x Wᵀ`` with weight ``(O, I)`` initialised U(±1/√I), as PyTorch's
    ``nn.Linear(I, O, bias=False)``. Input ``(I,)``, ``(B, I)`` or ``(B, S, I)``."""

    arch_params = ("in_features", "out_features")
    in_features: ClassVar[int]
    out_features: ClassVar[int]
    weight: Tensor[Any, Any, Any]

    def init(self, device: Device, dtype: type[DType]) -> None:
        bound = 1.0 / math.sqrt(self.in_features) if self.in_features else 0.0
        shape = (self.out_features, self.in_features)
        self.weight = device.sample_uniform(shape, -bound, bound, dtype=dtype)

    def forward(self, x: Tensor[Any, Any, Any]) -> Tensor[Any, Any, Any]:
        check_last_dim(self, x, self.in_features)
        if x.ndim > 3:
            raise ShapeError(f"{type(self)!r} takes inputs of rank 1 to 3, got shape {x.shape}")
        return linear(x, self.weight)


class Linear(UnbiasedLinear):
    """``y = x Wᵀ + b``: weight ``(O, I)`` and bias ``(O,)`` initialised U(±1/√I), the layout
    and initialisation of PyTorch's ``nn.Linear(I, O)``. Input ``(I,)``, ``(B, I)`` or
    ``(B, S, I)``::

        model = dev.build_module(nn.Linear[784, 10], f32)
        logits = model(images)        # (B, 784) -> (B, 10)
    """

    bias: Tensor[Any, Any, Any]

    def init(self, device: Device, dtype: type[DType]) -> None:
        super().init(device, dtype)
        bound = 1.0 / math.sqrt(self.in_features) if self.in_features else 0.0
        self.bias = device.sample_uniform((self.out_features,), -bound, bound, dtype=dtype)

    def forward(self, x: Tensor[Any, Any, Any]) -> Tensor[Any, Any, Any]:
        check_last_dim(self, x, self.in_features)
        if x.ndim > 3:
            raise ShapeError(f"{type(self)!r} takes inputs of rank 1 to 3, got shape {x.shape}")
        return linear(x, self.weight, self.bias)
