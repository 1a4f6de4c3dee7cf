"""Architecture types in mypy, and their translation to ``module_math``'s values.

How an architecture is represented (in annotations, in runtime expressions and in mypy's
cache alike): an ``Instance`` of the module class carrying its architecture arguments as type
arguments, although the class is not generic (DESIGN §1):

- ``nn.Linear[784, 128]`` is ``Instance(Linear, [Literal[784], Literal[128]])``; defaults are
  filled in (``nn.Conv2D[1, 8, 3]`` carries all seven arguments) so that two spellings of one
  architecture are one type; a string argument is a ``Literal["bilinear"]``;
- a combinator's architecture arguments are *built* types: ``nn.Residual[tuple[A, B]]`` is
  ``Instance(Residual, [Instance(Sequential, [tuple[A, B]])])``;
- a ``tuple[A, B]`` architecture builds into ``Instance(Sequential, [tuple[A, B]])``: one type
  argument, the tuple of the (built) items, so nested tuples nest and the forward rule walks
  the items;
- a bare ``nn.Linear`` (no arguments) is an architecture whose arguments are unknown: calls of
  it are not checked; a module class without arguments (``nn.ReLU``) or a user's
  ``nn.Module`` subclass is a plain ``Instance``;
- a *built* model, what ``dev.build_module(Arch, bf16)`` returns, also carries the dtype of
  its parameters (``with_dtype``, ``split_dtype``), out of sight: in the instance's
  ``extra_attrs`` (mypy's per-instance attributes, kept by ``copy_modified`` and in the
  cache), under ``DTYPE_ATTR``. A type argument would do too, but mypy compares the type
  arguments of two instances of one class only when they have as many, so
  ``assert_type(model, nn.Linear[5, 20])`` would then pass for any built ``Linear``. Only
  the outermost type has it (the items of a ``Sequential`` are the architecture), and a
  user's module (its own ``forward`` decides what it does with a dtype) never; an annotation
  (``model: nn.Linear[5, 10]``) says nothing about the dtype.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from mypy.nodes import SymbolTableNode, TypeInfo
from mypy.types import (
    AnyType,
    CallableType,
    ExtraAttrs,
    Instance,
    LiteralType,
    TupleType,
    Type,
    TypeOfAny,
    TypeType,
    TypeVarType,
    get_proper_type,
)

from dfdx_mypy import names
from dfdx_mypy.module_math import SPECS, ArchRef, Arg, Other, Spec, fmt_arch
from dfdx_mypy.shape_math import DYN

Lookup = Callable[[str], SymbolTableNode | None]


def is_module_info(info: TypeInfo) -> bool:
    """Whether ``info`` is ``nn.Module`` or a subclass."""
    return info.has_base(names.MODULE)


def spec_of(info: TypeInfo) -> Spec | None:
    """The dfdx_py module class ``info`` is or derives from (``Linear`` for a user's
    ``class MyLinear(nn.Linear)``), whose architecture arguments it takes."""
    for base in info.mro:
        spec = SPECS.get(base.fullname)
        if spec is not None:
            return spec
        if base.fullname == names.MODULE:
            return None
    return None


@dataclass(frozen=True)
class Target:
    """What calling a module runs: a dfdx_py module's rule (``spec``) or a user's
    ``forward`` (``custom``, the class that defines it)."""

    spec: Spec | None = None
    custom: TypeInfo | None = None


def call_target(info: TypeInfo) -> Target | None:
    """The first class of ``info``'s MRO that is a dfdx_py module or defines ``forward``."""
    for base in info.mro:
        spec = SPECS.get(base.fullname)
        if spec is not None:
            return Target(spec=spec)
        if base.fullname == names.MODULE:
            return None
        if "forward" in base.names:
            return Target(custom=base)
    return None


def module_instance(t: Type | None) -> Instance | None:
    """``t`` as an instance of a module class, or ``None``."""
    if t is None:
        return None
    p = get_proper_type(t)
    if isinstance(p, Instance) and is_module_info(p.type):
        return p
    return None


DTYPE_ATTR: Final = "__dfdx_dtype__"
"""The name under which a built model's type keeps its dtype (``extra_attrs``)."""


def split_dtype(inst: Instance) -> tuple[Instance, Type | None]:
    """A module type without the dtype a built model carries, and that dtype (``None``: not
    a built model, or one whose dtype is not known)."""
    extra = inst.extra_attrs
    dtype = extra.attrs.get(DTYPE_ATTR) if extra is not None else None
    if extra is None or dtype is None:
        return inst, None
    bare = inst.copy_modified()
    attrs = {k: v for k, v in extra.attrs.items() if k != DTYPE_ATTR}
    bare.extra_attrs = (
        ExtraAttrs(attrs, extra.immutable - {DTYPE_ATTR}, extra.mod_name) if attrs else None
    )
    return bare, dtype


def with_dtype(inst: Instance, dtype: Type) -> Instance:
    """The type of a model built from ``inst`` with parameters of ``dtype``; ``inst`` itself
    for a user's module."""
    target = call_target(inst.type)
    if target is None or target.spec is None:
        return inst
    built = inst.copy_modified()
    extra = inst.extra_attrs.copy() if inst.extra_attrs is not None else ExtraAttrs({})
    extra.attrs[DTYPE_ATTR] = dtype
    extra.immutable.add(DTYPE_ATTR)
    built.extra_attrs = extra
    return built


def is_architecture(t: Type) -> bool:
    """A module instance, or a ``tuple[...]`` whose items are all architectures."""
    p = get_proper_type(t)
    if isinstance(p, TupleType):
        return all(is_architecture(item) for item in p.items)
    return module_instance(p) is not None


# -- printing and reading the arguments ---------------------------------------------------


def sequential_items(inst: Instance) -> list[Type] | None:
    """The items of a ``Sequential`` built from ``tuple[...]``, ``None`` when unknown."""
    if inst.type.fullname != names.SEQUENTIAL or len(inst.args) != 1:
        return None
    arg = get_proper_type(inst.args[0])
    return list(arg.items) if isinstance(arg, TupleType) else None


def fmt_module(t: Type) -> str:
    """How an architecture prints in messages: ``nn.Linear[5, 10]``,
    ``tuple[nn.Linear[5, 10], nn.ReLU]`` for a ``Sequential``, ``Mlp`` for a user's class."""
    p = get_proper_type(t)
    if isinstance(p, TupleType):
        return f"tuple[{', '.join(fmt_module(i) for i in p.items)}]" if p.items else "tuple[()]"
    if isinstance(p, TypeType):
        return fmt_module(p.item)
    if not isinstance(p, Instance):
        return str(p)
    items = sequential_items(p)
    if items is not None:
        return fmt_module(TupleType(items, p)) if items else "tuple[()]"
    spec = spec_of(p.type)
    if spec is None or spec.family == "sequential":
        return p.type.name
    return fmt_arch(spec, module_args(p))


def arg_value(t: Type) -> Arg:
    """A type argument of an architecture as a ``module_math`` argument."""
    p = get_proper_type(t)
    if (
        isinstance(p, LiteralType)
        and isinstance(p.value, int | str)
        and not isinstance(p.value, bool)
    ):
        return p.value
    if isinstance(p, TupleType) and is_architecture(p):
        return ArchRef(fmt_module(p))
    inst = module_instance(p)
    if inst is not None:
        spec = spec_of(inst.type)
        incomplete = spec is not None and bool(spec.params) and not inst.args
        params = spec.params if spec is not None else ()
        return ArchRef(fmt_module(inst), complete=not incomplete, params=params)
    if isinstance(p, Instance) and p.type.fullname in ("builtins.int", "builtins.str"):
        return DYN  # an int (or a mode) known only at run time
    if isinstance(p, Instance):
        return Other(p.type.name)
    if isinstance(p, TypeVarType):
        return Other(p.name)
    return Other(str(p))


def module_args(inst: Instance) -> tuple[Arg, ...] | None:
    """The architecture arguments of ``inst``, or ``None`` for a bare class that takes
    arguments (``nn.Linear`` alone)."""
    spec = spec_of(inst.type)
    if spec is not None and spec.params and not inst.args:
        return None
    return tuple(arg_value(a) for a in inst.args)


def int_args(inst: Instance) -> tuple[int, ...] | None:
    """The arguments when they are all ints (the defaults are filled in already)."""
    args = module_args(inst)
    if args is None or not all(isinstance(a, int) for a in args):
        return None
    return tuple(a for a in args if isinstance(a, int))


# -- building -----------------------------------------------------------------------------


class Builder:
    """Makes the types of architectures, given a way to find classes."""

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup

    def info(self, fullname: str) -> TypeInfo | None:
        node = self.lookup(fullname)
        return node.node if node is not None and isinstance(node.node, TypeInfo) else None

    def instance(self, fullname: str, args: list[Type] | None = None) -> Instance | None:
        info = self.info(fullname)
        return Instance(info, args or []) if info is not None else None

    def tuple_of(self, items: list[Type]) -> TupleType | None:
        fallback = self.instance("builtins.tuple", [AnyType(TypeOfAny.special_form)])
        return TupleType(items, fallback) if fallback is not None else None

    def literal(self, value: int | str) -> LiteralType | None:
        fallback = self.instance("builtins.str" if isinstance(value, str) else "builtins.int")
        return LiteralType(value, fallback) if fallback is not None else None

    def sequential(self, items: list[Type]) -> Instance | None:
        """``Sequential`` carrying ``tuple[items]``."""
        tup = self.tuple_of(items)
        return self.instance(names.SEQUENTIAL, [tup]) if tup is not None else None

    def build(self, t: Type) -> Instance | None:
        """What ``build_module`` makes of the architecture type ``t``: a ``tuple[...]``
        becomes a ``Sequential`` (nested tuples nest), a module stays itself; ``None`` when
        ``t`` is not an architecture."""
        p = get_proper_type(t)
        if isinstance(p, TypeType):
            return self.build(p.item)
        if isinstance(p, CallableType) and p.is_type_obj():
            info = p.type_object()
            return Instance(info, []) if is_module_info(info) else None
        if isinstance(p, TupleType):
            items: list[Type] = []
            for item in p.items:
                built = self.build(item)
                if built is None:
                    return None
                items.append(built)
            return self.sequential(items)
        return module_instance(p)
