"""The ``RankN[...]`` sugar in annotations: ``Rank2[B, 784]`` is ``tuple[B, Literal[784]]``.

What mypy cannot infer: ``Rank1`` .. ``Rank6`` are plain classes whose metaclass gives
``RankN[...]`` a meaning at run time; to mypy a bare ``784`` is no type at all. (A
``Generic`` class would not do: mypy analyses each argument of a generic application in a
runtime expression on its own and rejects bare ints; see DESIGN §1.)

Algorithm (a type-analyze hook, run during semantic analysis): check the number of dims,
turn each int literal into ``Literal[n]`` (negative sizes are an error) and analyse every
other argument as a type, which must be an int dim: ``Dyn`` (``int``), ``Const[n]``, or a
``TypeVar`` bound to ``int``. The result is a plain ``tuple[...]`` type, so it survives
mypy's cache and prints like one. A bare ``RankN`` is ``N`` ``Dyn`` dims.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.plugin import AnalyzeTypeContext
from mypy.types import (
    AnyType,
    Instance,
    LiteralType,
    PlaceholderType,
    RawExpressionType,
    TupleType,
    Type,
    TypeAliasType,
    TypeOfAny,
    TypeVarType,
    get_proper_type,
)

from dfdx_mypy import errors

TypeAnalyzeHook = Callable[[AnalyzeTypeContext], Type]


def _dim(arg: Type, ctx: AnalyzeTypeContext, name: str) -> Type | None:
    int_type = ctx.api.named_type("builtins.int", [])
    if isinstance(arg, RawExpressionType):
        value = arg.literal_value
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                errors.bad_shape_sugar(
                    ctx.api, ctx.context, f"{name}: a static dim must be >= 0, got {value}"
                )
                return AnyType(TypeOfAny.from_error)
            return LiteralType(value, int_type)
        return None
    analyzed = ctx.api.analyze_type(arg)
    if isinstance(analyzed, PlaceholderType) or (
        isinstance(analyzed, TypeAliasType) and analyzed.alias is None
    ):
        return analyzed  # not ready yet: mypy analyses the annotation again later
    p = get_proper_type(analyzed)
    if isinstance(p, AnyType):
        return analyzed
    if isinstance(p, Instance) and p.type.fullname == "builtins.int":
        return analyzed
    if isinstance(p, LiteralType) and isinstance(p.value, int) and not isinstance(p.value, bool):
        return analyzed
    if isinstance(p, TypeVarType):
        bound = get_proper_type(p.upper_bound)
        if isinstance(bound, Instance) and bound.type.fullname == "builtins.int":
            return analyzed
    return None


def analyze_rank(rank: int) -> TypeAnalyzeHook:
    """The hook for ``Rank{rank}``."""
    name = f"Rank{rank}"

    def hook(ctx: AnalyzeTypeContext) -> Type:
        fallback = ctx.api.named_type("builtins.tuple", [AnyType(TypeOfAny.special_form)])
        args = ctx.type.args
        if not args:
            return TupleType([ctx.api.named_type("builtins.int", [])] * rank, fallback)
        if len(args) != rank:
            errors.bad_shape_sugar(
                ctx.api, ctx.context, f"{name} takes {rank} dims, got {len(args)}"
            )
            return AnyType(TypeOfAny.from_error)
        items: list[Type] = []
        for arg in args:
            item = _dim(arg, ctx, name)
            if item is None:
                errors.bad_shape_sugar(
                    ctx.api,
                    ctx.context,
                    f"{name}: a dim must be an int literal, Dyn, Const[n] or a TypeVar bound "
                    f"to int, got {arg}",
                )
                return AnyType(TypeOfAny.from_error)
            items.append(item)
        return TupleType(items, fallback)

    return hook
