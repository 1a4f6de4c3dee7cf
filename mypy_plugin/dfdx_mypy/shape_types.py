"""Translation between mypy's types and expressions and ``shape_math``'s dims and shapes.

Types -> dims: ``Literal[5]`` is 5, ``int`` is ``DYN`` (``Any`` too: unknown is never an
error), a ``TypeVar`` bound to ``int`` is a ``Sym``. A shape type is a ``tuple[...]`` of dims;
a shape that is itself a ``TypeVar`` (``S``) is ``Opaque``: only its identity is known.
``tuple[int, ...]`` and ``Any`` shapes are unknown (``None``): rules then keep mypy's answer.

Values -> dims: the shape arguments users write (``dev.zeros((64, n))``,
``x.reshape((-1, 784))``) are read from the expressions: an int literal (folded through
``-``, ``+``, ``*``, ``//``) or a ``Final`` int name is static; an ``int``-typed expression is
``DYN``; an expression typed by a ``TypeVar`` bound to ``int`` is that symbol.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from mypy.nodes import (
    Expression,
    IntExpr,
    ListExpr,
    MemberExpr,
    NameExpr,
    OpExpr,
    RefExpr,
    TupleExpr,
    UnaryExpr,
    Var,
)
from mypy.plugin import CheckerPluginInterface
from mypy.types import (
    AnyType,
    Instance,
    LiteralType,
    NoneType,
    ProperType,
    TupleType,
    Type,
    TypeOfAny,
    TypeVarType,
    get_proper_type,
)

from dfdx_mypy import names
from dfdx_mypy.shape_math import DYN, Axes, Dim, DynDim, Shape, Sym


@dataclass(frozen=True)
class Opaque:
    """A shape that is a ``TypeVar`` (``S`` in ``Tensor[S, E, D]``): rank and dims unknown."""

    name: str
    key: str


ShapeInfo = Shape | Opaque | None


class Unknown:
    """A value argument the plugin cannot read statically (the rule keeps mypy's answer)."""

    def __repr__(self) -> str:
        return "Unknown"


UNKNOWN: Final = Unknown()


# -- types -> dims ------------------------------------------------------------------------


def _is_int_instance(t: ProperType) -> bool:
    return isinstance(t, Instance) and t.type.fullname == "builtins.int"


def _is_int_literal(t: ProperType) -> bool:
    return (
        isinstance(t, LiteralType)
        and isinstance(t.value, int)
        and not isinstance(t.value, bool)
        and t.fallback.type.fullname == "builtins.int"
    )


def _is_int_type(t: ProperType) -> bool:
    """``int``, an int literal, or a ``TypeVar`` bound to ``int``."""
    return (
        _is_int_instance(t)
        or _is_int_literal(t)
        or (isinstance(t, TypeVarType) and _int_bounded(t))
    )


def _sym(t: TypeVarType) -> Sym:
    scope = t.id.namespace.rsplit(".", 1)[-1]
    key = f"{t.id.namespace}:{t.id.raw_id}:{t.id.meta_level}:{t.fullname}"
    return Sym(t.name, key, scope, origin=t)


def _int_bounded(t: TypeVarType) -> bool:
    upper = get_proper_type(t.upper_bound)
    return _is_int_instance(upper) or _is_int_literal(upper)


def dim_from_type(t: Type) -> Dim | None:
    """The dim a type stands for inside a shape, or ``None`` if it is not one."""
    p = get_proper_type(t)
    if _is_int_literal(p):
        assert isinstance(p, LiteralType) and isinstance(p.value, int)
        return p.value
    if _is_int_instance(p) or isinstance(p, AnyType):
        return DYN
    if isinstance(p, TypeVarType) and _int_bounded(p):
        return _sym(p)
    return None


def shape_from_type(t: Type) -> ShapeInfo:
    """The shape a shape type stands for: a tuple of dims, ``Opaque``, or ``None``."""
    p = get_proper_type(t)
    if isinstance(p, TupleType):
        dims = [dim_from_type(item) for item in p.items]
        if any(d is None for d in dims):
            return None
        return tuple(d for d in dims if d is not None)
    if isinstance(p, TypeVarType):
        return Opaque(p.name, f"{p.id.namespace}:{p.id.raw_id}:{p.id.meta_level}:{p.fullname}")
    return None


def int_type(api: CheckerPluginInterface) -> Instance:
    """``builtins.int``."""
    return api.named_generic_type("builtins.int", [])


def dim_to_type(dim: Dim, api: CheckerPluginInterface) -> Type:
    """``Literal[n]``, ``int`` or the symbol's own ``TypeVar``."""
    if isinstance(dim, int):
        return LiteralType(dim, int_type(api))
    if isinstance(dim, Sym) and isinstance(dim.origin, TypeVarType):
        return dim.origin
    return int_type(api)


def shape_to_type(shape: Sequence[Dim], api: CheckerPluginInterface) -> TupleType:
    """``tuple[Literal[2], int, B]`` for ``(2, DYN, B)``."""
    fallback = api.named_generic_type("builtins.tuple", [int_type(api)])
    return TupleType([dim_to_type(d, api) for d in shape], fallback)


# -- tensor types -------------------------------------------------------------------------


@dataclass(frozen=True)
class TensorInfo:
    """A ``Tensor[S, E, D]`` type taken apart."""

    instance: Instance
    shape: ShapeInfo

    @property
    def shape_type(self) -> Type:
        return self.instance.args[0]

    @property
    def dtype(self) -> Type:
        return self.instance.args[1]

    @property
    def device(self) -> Type:
        return self.instance.args[2]


def tensor_info(t: Type | None) -> TensorInfo | None:
    """``t`` as a tensor, or ``None`` when it is anything else (a union, ``Any``, a number)."""
    if t is None:
        return None
    p = get_proper_type(t)
    if not isinstance(p, Instance) or p.type.fullname != names.TENSOR or len(p.args) != 3:
        return None
    return TensorInfo(p, shape_from_type(p.args[0]))


def replace_tensor_args(
    ret: Type,
    *,
    shape: Type | None = None,
    dtype: Type | None = None,
    device: Type | None = None,
) -> Type:
    """``ret`` (a ``Tensor`` type) with some of its type arguments replaced; anything else
    comes back unchanged."""
    p = get_proper_type(ret)
    if not isinstance(p, Instance) or p.type.fullname != names.TENSOR or len(p.args) != 3:
        return ret
    args = list(p.args)
    for i, new in enumerate((shape, dtype, device)):
        if new is not None:
            args[i] = new
    return p.copy_modified(args=args)


def with_shape(ret: Type, shape: Sequence[Dim], api: CheckerPluginInterface) -> Type:
    """``ret`` with its shape argument set to ``shape``."""
    return replace_tensor_args(ret, shape=shape_to_type(shape, api))


def any_shape(ret: Type) -> Type:
    """``ret`` with an ``Any`` shape (after an error, to avoid a cascade of errors)."""
    return replace_tensor_args(ret, shape=AnyType(TypeOfAny.from_error))


def type_name(t: Type) -> str:
    """A short name for a dtype or device type in messages: ``f32``, ``Cpu``, ``E``,
    ``AMP[bf16]``."""
    p = get_proper_type(t)
    if isinstance(p, Instance):
        if p.args:
            return f"{p.type.name}[{', '.join(type_name(a) for a in p.args)}]"
        return p.type.name
    if isinstance(p, TypeVarType):
        return p.name
    return str(p)


# -- values -> dims -----------------------------------------------------------------------

_FOLD: Final[dict[str, Callable[[int, int], int]]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "//": operator.floordiv,
}


def literal_int(expr: Expression | None) -> int | None:
    """The value of an int literal expression (``5``, ``-1``, ``2 * 3``, a ``Final`` int)."""
    if isinstance(expr, IntExpr):
        return expr.value
    if isinstance(expr, UnaryExpr) and expr.op in ("-", "+"):
        inner = literal_int(expr.expr)
        if inner is None:
            return None
        return -inner if expr.op == "-" else inner
    if isinstance(expr, OpExpr) and expr.op in _FOLD:
        left, right = literal_int(expr.left), literal_int(expr.right)
        if left is None or right is None or (expr.op == "//" and right == 0):
            return None
        return _FOLD[expr.op](left, right)
    if isinstance(expr, NameExpr | MemberExpr) and isinstance(expr, RefExpr):
        node = expr.node
        if isinstance(node, Var) and node.is_final:
            value = node.final_value
            if isinstance(value, int) and not isinstance(value, bool):
                return value
    return None


def int_value(expr: Expression | None, typ: Type | None) -> int | DynDim | Sym | None:
    """An int argument as a dim: static, ``DYN`` or a symbol; ``None`` if it is no int."""
    value = literal_int(expr)
    if value is not None:
        return value
    if typ is None:
        return DYN if expr is not None else None
    p = get_proper_type(typ)
    if _is_int_literal(p):
        assert isinstance(p, LiteralType) and isinstance(p.value, int)
        return p.value
    if isinstance(p, Instance) and p.type.fullname == "builtins.int":
        known = p.last_known_value
        if known is not None and isinstance(known.value, int) and not isinstance(known.value, bool):
            return known.value
        return DYN
    if isinstance(p, TypeVarType) and _int_bounded(p):
        return _sym(p)
    if isinstance(p, AnyType):
        return DYN
    return None


def shape_value(expr: Expression | None, typ: Type | None) -> Shape | None:
    """A shape argument (``(64, n)``, ``[2, 3]``, ``5``, a tuple-typed name) as dims, or
    ``None`` when its length is not static."""
    p = get_proper_type(typ) if typ is not None else None
    item_types: list[Type | None] | None = None
    if isinstance(p, TupleType):
        item_types = list(p.items)
    if isinstance(expr, TupleExpr | ListExpr):
        if item_types is None or len(item_types) != len(expr.items):
            item_types = [None] * len(expr.items)
        dims = [int_value(e, t) for e, t in zip(expr.items, item_types, strict=True)]
    elif item_types is not None:
        dims = [int_value(None, t) for t in item_types]
    elif literal_int(expr) is not None or (p is not None and _is_int_type(p)):
        single = int_value(expr, typ)
        dims = [single]
    else:
        return None  # not a tuple or an int (``Any`` included): unknown
    if any(d is None for d in dims):
        return None
    return tuple(d for d in dims if d is not None)


def static_ints(expr: Expression | None, typ: Type | None) -> tuple[int, ...] | None:
    """A tuple of int literals (``(0, 2, 1)``), or ``None`` when any is not static."""
    dims = shape_value(expr, typ)
    if dims is None or not all(isinstance(d, int) for d in dims):
        return None
    return tuple(d for d in dims if isinstance(d, int))


def axes_value(expr: Expression | None, typ: Type | None) -> Axes | Unknown:
    """An ``axis`` argument: ``None``, an int or a tuple of ints, all literal."""
    if isinstance(expr, NameExpr) and expr.fullname == "builtins.None":
        return None
    if typ is not None and isinstance(get_proper_type(typ), NoneType):
        return None
    if isinstance(expr, TupleExpr) or isinstance(get_proper_type(typ), TupleType):
        ints = static_ints(expr, typ)
        return UNKNOWN if ints is None else ints
    value = int_value(expr, typ)
    return value if isinstance(value, int) else UNKNOWN
