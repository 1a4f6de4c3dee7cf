"""Combinators: modules whose architecture arguments are other architectures (dfdx's
``Residual``, ``GeneralizedResidual``, ``SplitInto``, ``AddInto`` and ``Repeated``).

Each validates its arguments when the type is written (``nn.Residual[int]`` is a
``TypeError`` at once) and builds its children in ``init`` with ``build_module``. Children are
named by attribute, so parameters are named like a PyTorch ``state_dict``:

| combinator | children | dfdx's names |
|---|---|---|
| ``Residual[F]`` | ``f`` | ``0`` (a tuple struct) |
| ``GeneralizedResidual[F, R]`` | ``f``, ``r`` | ``f``, ``r`` |
| ``SplitInto[A, B, ...]`` | ``0``, ``1``, ... | ``0.0``, ``0.1``, ... (a tuple field) |
| ``AddInto[A, B, ...]`` | ``0``, ``1``, ... | ``0.0``, ``0.1``, ... (a tuple field) |
| ``Repeated[A, N]`` | ``0`` ... ``N-1`` | ``0`` ... ``N-1`` |

``Residual`` names its child ``f`` rather than dfdx's ``0``: ``model.f`` reads better in
Python than ``getattr(model, "0")`` and matches ``GeneralizedResidual.f``. ``SplitInto`` and
``AddInto`` take their architectures directly (``SplitInto[A, B]``, not dfdx's
``SplitInto<(A, B)>``), so their children sit one level higher than in dfdx, as in a PyTorch
``nn.ModuleList``.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from dfdx_py.errors import ShapeError
from dfdx_py.nn.build import build_module, is_architecture
from dfdx_py.nn.module import Module, arch_repr
from dfdx_py.tensor import Tensor

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device
    from dfdx_py.dtypes import DType

T = Tensor[Any, Any, Any]


# -- helpers shared by the combinators (and the transformer modules) ------------------------


def check_unspecialized(cls: type[Module]) -> None:
    """``TypeError`` when ``cls`` already has its arguments (``Residual[A][B]``)."""
    if cls.arch_args is not None:
        raise TypeError(f"{cls!r} already has its arguments")


def check_architecture(cls: type[Module], name: str, arch: Any) -> Any:
    """``arch`` when it is a complete architecture (every module class in it has its
    arguments), else a ``TypeError`` naming ``cls`` and the argument ``name``."""
    if not is_architecture(arch):
        raise TypeError(
            f"{cls!r}: {name} must be an architecture (a module class such as "
            f"nn.Linear[5, 10], or a tuple[...] of them), got {_show(arch)}"
        )
    if typing.get_origin(arch) is tuple:
        for item in typing.get_args(arch):
            if item is not Ellipsis and item != ():
                check_architecture(cls, name, item)
    elif arch.arch_params and arch.arch_args is None:
        raise TypeError(
            f"{cls!r}: {name} is {arch!r}, which needs its arguments: "
            f"{arch!r}[{', '.join(arch.arch_params)}]"
        )
    return arch


def _show(arch: Any) -> str:
    """An architecture argument in an error: ``int`` rather than ``<class 'int'>``."""
    if isinstance(arch, type) and not issubclass(arch, Module) and not typing.get_args(arch):
        return arch.__qualname__
    return arch_repr(arch)


def fmt_shapes(values: Any) -> str:
    """How the shapes of a tuple of tensors print in errors: ``((2, 3), (2, 4))``."""
    return "(" + ", ".join(repr(getattr(v, "shape", type(v).__name__)) for v in values) + ")"


class ModuleList(Module):
    """A module whose children are named ``"0"``, ``"1"``, ...: ``len(m)``, ``m[i]`` and
    iteration give the children in order, as with PyTorch's ``nn.ModuleList``."""

    def set_items(self, items: list[Module]) -> None:
        """Set ``items`` as the children ``"0"``, ``"1"``, ..."""
        for i, item in enumerate(items):
            setattr(self, str(i), item)

    def __len__(self) -> int:
        return sum(1 for _ in self.children())

    def __getitem__(self, index: int) -> Module:
        items = [m for _, m in self.children()]
        return items[index]

    def __iter__(self) -> Iterator[Module]:
        return (m for _, m in self.children())


# -- the combinators ------------------------------------------------------------------------


class Residual(Module):
    """A skip connection around ``F``: ``y = x + F(x)`` (dfdx's ``Residual<F>``).

    ``F`` must keep the shape of its input. PyTorch has no module for it; the nearest is
    ``x + f(x)`` written in a ``forward``. The child is named ``f`` (dfdx names it ``0``)::

        model = dev.build_module(nn.Residual[tuple[nn.Linear[10, 10], nn.Tanh]], f32)
        y = model(x)                  # (B, 10) -> (B, 10); parameters "f.0.weight", ...
    """

    arch_params = ("F",)
    f_arch: ClassVar[Any]
    """The architecture ``F`` (on the specialised class)."""
    f: Module

    @classmethod
    def check_arch_args(cls, args: tuple[Any, ...]) -> dict[str, Any]:
        check_unspecialized(cls)
        if len(args) != 1:
            raise TypeError(f"{cls!r} takes 1 architecture (F), got {len(args)}")
        return {"f_arch": check_architecture(cls, "F", args[0])}

    def init(self, device: Device, dtype: type[DType]) -> None:
        self.f = build_module(self.f_arch, device, dtype)

    def forward(self, x: T) -> T:
        if not isinstance(x, Tensor):
            raise TypeError(f"{type(self)!r} takes a tensor, got {type(x).__name__}")
        fx = self.f(x)
        if not isinstance(fx, Tensor) or fx.shape != x.shape:
            got = fx.shape if isinstance(fx, Tensor) else type(fx).__name__
            raise ShapeError(
                f"{type(self)!r}: F must keep the shape of its input: "
                f"x has shape {x.shape}, F(x) has shape {got}"
            )
        return x + fx


class GeneralizedResidual(Module):
    """Two branches added: ``y = F(x) + R(x)`` (dfdx's ``GeneralizedResidual<F, R>``); a
    projection shortcut, as in ResNet's down-sampling blocks, is ``R``.

    Both outputs must have the same shape. PyTorch: ``f(x) + r(x)`` in a ``forward``.
    Children ``f`` and ``r``, as in dfdx::

        Block = nn.GeneralizedResidual[tuple[nn.Linear[4, 8], nn.ReLU], nn.Linear[4, 8]]
        y = dev.build_module(Block, f32)(x)      # (B, 4) -> (B, 8)
    """

    arch_params = ("F", "R")
    f_arch: ClassVar[Any]
    r_arch: ClassVar[Any]
    f: Module
    r: Module

    @classmethod
    def check_arch_args(cls, args: tuple[Any, ...]) -> dict[str, Any]:
        check_unspecialized(cls)
        if len(args) != 2:
            raise TypeError(f"{cls!r} takes 2 architectures (F, R), got {len(args)}")
        return {
            "f_arch": check_architecture(cls, "F", args[0]),
            "r_arch": check_architecture(cls, "R", args[1]),
        }

    def init(self, device: Device, dtype: type[DType]) -> None:
        self.f = build_module(self.f_arch, device, dtype)
        self.r = build_module(self.r_arch, device, dtype)

    def forward(self, x: Any) -> T:
        fx, rx = self.f(x), self.r(x)
        if fx.shape != rx.shape:
            raise ShapeError(
                f"{type(self)!r}: F(x) and R(x) must have the same shape: "
                f"F(x) has shape {fx.shape}, R(x) has shape {rx.shape}"
            )
        return fx + rx  # type: ignore[no-any-return]


class _Branches(ModuleList):
    """``SplitInto`` and ``AddInto``: two or more architectures, children ``"0"``, ``"1"``..."""

    arch_params = ("A", "B", "...")
    branch_archs: ClassVar[tuple[Any, ...]]
    """The architectures, in order (on the specialised class)."""

    @classmethod
    def check_arch_args(cls, args: tuple[Any, ...]) -> dict[str, Any]:
        check_unspecialized(cls)
        if len(args) < 2:
            hint = ""
            if len(args) == 1 and typing.get_origin(args[0]) is tuple:
                hint = f" (write {cls.__name__}[A, B], not {cls.__name__}[tuple[A, B]])"
            raise TypeError(f"{cls!r} takes 2 or more architectures, got {len(args)}{hint}")
        names = [f"architecture {i}" for i in range(len(args))]
        archs = tuple(check_architecture(cls, n, a) for n, a in zip(names, args, strict=True))
        return {"branch_archs": archs}

    def init(self, device: Device, dtype: type[DType]) -> None:
        self.set_items([build_module(a, device, dtype) for a in self.branch_archs])


class SplitInto(_Branches):
    """One input into several modules: ``x -> (A(x), B(x), ...)``, a tuple (dfdx's
    ``SplitInto<(A, B, ...)>``); the heads of a multi-output network.

    PyTorch: ``tuple(m(x) for m in module_list)``. Children ``"0"``, ``"1"``, ...::

        heads = dev.build_module(nn.SplitInto[nn.Linear[8, 2], nn.Linear[8, 1]], f32)
        policy, value = heads(x)          # (B, 8) -> ((B, 2), (B, 1))
    """

    def forward(self, x: Any) -> tuple[Any, ...]:
        return tuple(branch(x) for branch in self)


class AddInto(_Branches):
    """Several inputs, one module each, outputs added: ``(x1, x2, ...) -> A(x1) + B(x2) + ...``
    (dfdx's ``AddInto<(A, B, ...)>``). The input is a tuple with one item per module, and
    every output must have the same shape.

    PyTorch: ``sum(m(x) for m, x in zip(module_list, xs))``. Children ``"0"``, ``"1"``, ...::

        model = dev.build_module(nn.AddInto[nn.Linear[2, 5], nn.Linear[3, 5]], f32)
        y = model((a, b))                 # ((B, 2), (B, 3)) -> (B, 5)
    """

    def forward(self, x: Any) -> T:
        branches = list(self)
        if not isinstance(x, tuple | list):
            raise TypeError(
                f"{type(self)!r} takes a tuple of {len(branches)} inputs, one per module, "
                f"got {type(x).__name__}"
                + (f" of shape {x.shape}" if isinstance(x, Tensor) else "")
            )
        if len(x) != len(branches):
            raise TypeError(
                f"{type(self)!r} takes a tuple of {len(branches)} inputs, one per module, "
                f"got {len(x)}: {fmt_shapes(x)}"
            )
        outs = [branch(xi) for branch, xi in zip(branches, x, strict=True)]
        shapes = [getattr(o, "shape", None) for o in outs]
        if any(s != shapes[0] for s in shapes):
            raise ShapeError(
                f"{type(self)!r}: the outputs must have the same shape to be added: "
                f"inputs {fmt_shapes(x)} gave outputs {fmt_shapes(outs)}"
            )
        total = outs[0]
        for o in outs[1:]:
            total = total + o
        return total  # type: ignore[no-any-return]


class Repeated(ModuleList):
    """``N`` independent copies of ``A`` applied in sequence: ``A_{N-1}(...A_1(A_0(x)))``
    (dfdx's ``Repeated<A, N>``); each copy has its own parameters. ``A``'s output must fit
    its input. ``Repeated[A, 0]`` is the identity.

    PyTorch: ``nn.Sequential(*[make_a() for _ in range(N)])``. Children ``"0"`` ...
    ``"N-1"``::

        model = dev.build_module(nn.Repeated[tuple[nn.Linear[10, 10], nn.ReLU], 5], f32)
        y = model(x)                      # (B, 10) -> (B, 10); parameters "0.0.weight", ...
    """

    arch_params = ("A", "N")
    item_arch: ClassVar[Any]
    """The architecture ``A`` (on the specialised class)."""
    repeats: ClassVar[int]
    """``N``: how many copies."""

    @classmethod
    def check_arch_args(cls, args: tuple[Any, ...]) -> dict[str, Any]:
        check_unspecialized(cls)
        if len(args) != 2:
            raise TypeError(f"{cls!r} takes 2 arguments (A, N), got {len(args)}")
        arch, n = args
        check_architecture(cls, "A", arch)
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise TypeError(f"{cls!r}: N must be an int >= 0, got {n!r}")
        return {"item_arch": arch, "repeats": n}

    def init(self, device: Device, dtype: type[DType]) -> None:
        self.set_items([build_module(self.item_arch, device, dtype) for _ in range(self.repeats)])

    def forward(self, x: Any) -> Any:
        for name, item in self.children():
            try:
                x = item(x)
            except ShapeError as e:
                raise ShapeError(f"{e} (copy {name} of the {type(self)!r})") from None
        return x
