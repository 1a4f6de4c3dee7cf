"""Signature hooks: let the rules, not mypy's generic matching, judge tensor operands.

``Tensor.__add__(self, other: Tensor[Any, E, D] | Scalar)`` ties ``other``'s dtype and
device to the receiver's. Left alone, mypy reports an ``f32 + f64`` tensor sum as
``Unsupported operand types`` (code ``operator``), with no word about dtypes. These hooks
widen every tensor operand after the first (to a tensor of fresh type variables, see
``_Widener``) before mypy matches the call; the rule then reports ``tensor-dtype`` /
``tensor-device`` with the op's name.

Type variables that no longer appear in any parameter (``E`` of ``concat``, whose only
tensor parameter was widened) become ``Any`` in the return type; the rule puts the real
dtype and device back from the operands.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.expandtype import expand_type
from mypy.plugin import FunctionSigContext, MethodSigContext
from mypy.typeops import get_all_type_vars
from mypy.types import (
    AnyType,
    CallableType,
    FunctionLike,
    Instance,
    TupleType,
    Type,
    TypeOfAny,
    TypeVarId,
    TypeVarType,
    UnionType,
    get_proper_type,
)

from dfdx_mypy import names

SignatureHook = Callable[[MethodSigContext], FunctionLike]
FunctionSignatureHook = Callable[[FunctionSigContext], FunctionLike]


def _any() -> AnyType:
    return AnyType(TypeOfAny.special_form)


class _Widener:
    """Replaces the tensors of a signature's parameters, collecting the new type variables.

    A tensor parameter (``other: Tensor[Any, E, D] | float``) becomes ``Tensor[T1, T2, T3]``
    with fresh type variables: any tensor is accepted, and an argument written inline
    (``x + dev.zeros((2, 3), dtype=f64)``) is still inferred from its own arguments (an
    ``Any`` in the context would make its dtype ``Any``). A tensor nested in another type
    (``Sequence[Tensor[Any, E, D]]``) becomes ``Tensor[Any, Any, Any]``: fresh variables
    there would have to agree across the sequence's items.
    """

    def __init__(self, upper_bound: Instance) -> None:
        self.upper_bound = upper_bound
        self.new: list[TypeVarType] = []

    def _fresh(self) -> TypeVarType:
        n = len(self.new)
        tv = TypeVarType(
            f"_T{n}",
            f"dfdx_mypy._T{n}",
            TypeVarId(-1000 - n, namespace="dfdx_mypy"),
            [],
            self.upper_bound,
            AnyType(TypeOfAny.from_omitted_generics),
        )
        self.new.append(tv)
        return tv

    def parameter(self, t: Type) -> Type:
        p = get_proper_type(t)
        if isinstance(p, Instance) and p.type.fullname == names.TENSOR:
            return p.copy_modified(args=[self._fresh(), self._fresh(), self._fresh()])
        if isinstance(p, UnionType):
            return UnionType.make_union([self.parameter(i) for i in p.items], p.line, p.column)
        return widen_tensors(t)


def widen_tensors(t: Type) -> Type:
    """``t`` with every ``Tensor[...]`` inside it (a union, a sequence, a tuple) replaced by
    ``Tensor[Any, Any, Any]``."""
    p = get_proper_type(t)
    if isinstance(p, Instance):
        if p.type.fullname == names.TENSOR:
            return p.copy_modified(args=[_any(), _any(), _any()])
        if p.args:
            return p.copy_modified(args=[widen_tensors(a) for a in p.args])
        return t
    if isinstance(p, UnionType):
        return UnionType.make_union([widen_tensors(i) for i in p.items], p.line, p.column)
    if isinstance(p, TupleType):
        return p.copy_modified(items=[widen_tensors(i) for i in p.items])
    return t


def widened(sig: CallableType, first: int, upper_bound: Instance) -> CallableType:
    """``sig`` with the tensor parameters from index ``first`` on widened."""
    widener = _Widener(upper_bound)
    arg_types = [t if i < first else widener.parameter(t) for i, t in enumerate(sig.arg_types)]
    used: set[TypeVarId] = set()
    for t in arg_types:
        used.update(v.id for v in get_all_type_vars(t))
    dropped = {v.id: _any() for v in sig.variables if v.id not in used}
    return sig.copy_modified(
        arg_types=arg_types,
        ret_type=expand_type(sig.ret_type, dropped) if dropped else sig.ret_type,
        variables=[*(v for v in sig.variables if v.id not in dropped), *widener.new],
    )


def widen_method_operands(ctx: MethodSigContext) -> FunctionLike:
    """``x.op(other, ...)``: every tensor parameter of the bound method is widened."""
    return widened(ctx.default_signature, 0, ctx.api.named_generic_type("builtins.object", []))


def widen_function_operands(first: int) -> FunctionSignatureHook:
    """``op(x, other, ...)``: tensor parameters from index ``first`` on are widened
    (``first=1`` keeps the receiver ``x``; ``first=0`` widens ``concat``'s sequence)."""

    def hook(ctx: FunctionSigContext) -> FunctionLike:
        return widened(
            ctx.default_signature, first, ctx.api.named_generic_type("builtins.object", [])
        )

    return hook
