"""Modules: architecture types that ``dev.build_module(Arch, dtype)`` builds (dfdx's nn).

A ``tuple[...]`` of architectures is sequential; ``nn.Linear[784, 128]`` is an architecture
with its sizes; a subclass of ``nn.Module`` with annotated fields is a custom architecture.
"""

from dfdx_py.nn.activations import (
    Abs,
    Cos,
    Exp,
    GeLU,
    LeakyReLU,
    Ln,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Sin,
    Softmax,
    Sqrt,
    Square,
    Tanh,
)
from dfdx_py.nn.build import build_module, is_architecture
from dfdx_py.nn.linear import Linear, UnbiasedLinear
from dfdx_py.nn.module import Module, ModuleMeta, is_training
from dfdx_py.nn.sequential import Sequential

__all__ = [
    "Abs",
    "Cos",
    "Exp",
    "GeLU",
    "LeakyReLU",
    "Linear",
    "Ln",
    "LogSoftmax",
    "Module",
    "ModuleMeta",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Sin",
    "Softmax",
    "Sqrt",
    "Square",
    "Tanh",
    "UnbiasedLinear",
    "build_module",
    "is_architecture",
    "is_training",
]
