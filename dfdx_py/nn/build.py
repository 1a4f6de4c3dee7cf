"""``build_module``: from an architecture type to a module with parameters.

- a ``tuple[A, B, ...]`` of architectures is a ``Sequential`` (nested tuples nest);
- a module class (``nn.Linear[5, 10]``, ``nn.ReLU``, a custom ``nn.Module`` subclass) builds
  itself with its ``build`` classmethod.
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Any

from dfdx_py.dtypes import as_dtype
from dfdx_py.nn.module import Module

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device
    from dfdx_py.dtypes import DType


def is_architecture(arch: Any) -> bool:
    """Whether ``arch`` describes a module: a module class or a tuple type of them."""
    if typing.get_origin(arch) is tuple:
        return all(is_architecture(a) for a in typing.get_args(arch) if a is not Ellipsis)
    return isinstance(arch, type) and issubclass(arch, Module)


def build_module(arch: Any, device: Device, dtype: type[DType]) -> Module:
    """Build ``arch`` on ``device`` with float ``dtype`` (``dev.build_module`` calls this)."""
    from dfdx_py.nn.sequential import Sequential

    dtype = as_dtype(dtype)
    if typing.get_origin(arch) is tuple:
        items = typing.get_args(arch)
        if Ellipsis in items:
            raise TypeError(f"build_module: a sequential model lists its layers, got {arch}")
        if items == ((),):  # tuple[()]: the empty model
            items = ()
        return Sequential.of([build_module(a, device, dtype) for a in items])
    if isinstance(arch, type) and issubclass(arch, Module):
        return arch.build(device, dtype)
    raise TypeError(
        f"build_module: {arch!r} is not an architecture (a module class such as "
        "nn.Linear[784, 10], or a tuple[...] of them)"
    )
