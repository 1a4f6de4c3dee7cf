"""``Sequential``: what a ``tuple[...]`` architecture builds into; each item feeds the next."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Self

from dfdx_py.errors import ShapeError
from dfdx_py.nn.module import Module

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device
    from dfdx_py.dtypes import DType


class Sequential(Module):
    """Modules applied in order: ``tuple[nn.Linear[5, 10], nn.ReLU]`` builds into one.

    Its items are named ``"0"``, ``"1"``, ... so parameters are ``"0.weight"``, as in
    PyTorch's ``nn.Sequential``. ``model[i]`` is item ``i``. ``nn.Sequential[tuple[A, B]]``
    is the same architecture as ``tuple[A, B]`` (the spelling of the built type).
    """

    arch_params = ("items",)

    @classmethod
    def check_arch_args(cls, args: tuple[Any, ...]) -> dict[str, Any]:
        from dfdx_py.nn.build import is_architecture

        if cls.arch_args is not None or len(args) != 1 or typing.get_origin(args[0]) is not tuple:
            raise TypeError(f"nn.Sequential takes one tuple[...] of architectures, got {args}")
        if not is_architecture(args[0]):
            raise TypeError(f"nn.Sequential[{args[0]}]: not a tuple of architectures")
        return {"items": args[0]}

    @classmethod
    def build(cls, device: Device, dtype: type[DType]) -> Self:
        from dfdx_py.nn.build import build_module

        if cls.arch_args is None:
            raise TypeError("nn.Sequential needs its items: nn.Sequential[tuple[A, B, ...]]")
        built = build_module(cls.arch_args[0], device, dtype)
        seq = cls.__new__(cls)
        for name, item in built.children():
            setattr(seq, name, item)
        return seq

    @classmethod
    def of(cls, items: list[Module]) -> Sequential:
        """A sequential module of already built ``items``."""
        seq = cls.__new__(cls)
        for i, item in enumerate(items):
            setattr(seq, str(i), item)
        return seq

    def forward(self, x: Any) -> Any:
        for name, item in self.children():
            try:
                x = item(x)
            except ShapeError as e:
                raise ShapeError(f"{e} (item {name} of the Sequential)") from None
        return x

    def __len__(self) -> int:
        return sum(1 for _ in self.children())

    def __getitem__(self, index: int) -> Module:
        items = [m for _, m in self.children()]
        return items[index]

    def __iter__(self) -> Iterator[Module]:
        return (m for _, m in self.children())
