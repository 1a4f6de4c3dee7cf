"""Activation modules: each applies one tensor op (``nn.ReLU`` is ``x.relu()``)."""

from __future__ import annotations

from typing import Any

from dfdx_py.nn.module import Module
from dfdx_py.tensor import Tensor

T = Tensor[Any, Any, Any]


class ReLU(Module):
    """``max(x, 0)`` (``torch.nn.ReLU``)."""

    def forward(self, x: T) -> T:
        return x.relu()


class GeLU(Module):
    """GeLU, tanh form (``torch.nn.GELU(approximate="tanh")``)."""

    def forward(self, x: T) -> T:
        return x.gelu()


class Sigmoid(Module):
    """``1 / (1 + e^-x)`` (``torch.nn.Sigmoid``)."""

    def forward(self, x: T) -> T:
        return x.sigmoid()


class Tanh(Module):
    """``tanh x`` (``torch.nn.Tanh``)."""

    def forward(self, x: T) -> T:
        return x.tanh()


class Softmax(Module):
    """Softmax over the last axis (``torch.nn.Softmax(dim=-1)``)."""

    def forward(self, x: T) -> T:
        return x.softmax(-1)


class LogSoftmax(Module):
    """Log-softmax over the last axis (``torch.nn.LogSoftmax(dim=-1)``)."""

    def forward(self, x: T) -> T:
        return x.log_softmax(-1)


class LeakyReLU(Module):
    """``x if x > 0 else 0.01·x`` (``torch.nn.LeakyReLU()``)."""

    slope = 0.01

    def forward(self, x: T) -> T:
        return x.leaky_relu(self.slope)


class Sin(Module):
    """``sin x``."""

    def forward(self, x: T) -> T:
        return x.sin()


class Cos(Module):
    """``cos x``."""

    def forward(self, x: T) -> T:
        return x.cos()


class Exp(Module):
    """``e^x``."""

    def forward(self, x: T) -> T:
        return x.exp()


class Ln(Module):
    """Natural log."""

    def forward(self, x: T) -> T:
        return x.ln()


class Square(Module):
    """``x²``."""

    def forward(self, x: T) -> T:
        return x.square()


class Sqrt(Module):
    """``√x``."""

    def forward(self, x: T) -> T:
        return x.sqrt()


class Abs(Module):
    """``|x|``."""

    def forward(self, x: T) -> T:
        return x.abs()
