"""``Sequential``: what a ``tuple[...]`` architecture builds into; each item feeds the next."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dfdx_py.errors import ShapeError
from dfdx_py.nn.module import Module


class Sequential(Module):
    """Modules applied in order: ``tuple[nn.Linear[5, 10], nn.ReLU]`` builds into one.

    Its items are named ``"0"``, ``"1"``, ... so parameters are ``"0.weight"``, as in
    PyTorch's ``nn.Sequential``. ``model[i]`` is item ``i``.
    """

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
