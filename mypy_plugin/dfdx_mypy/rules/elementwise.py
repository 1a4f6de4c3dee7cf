"""Elementwise rules: binary ops, comparisons, ``maximum``/``minimum`` and ``choose``.

What mypy cannot infer: the signatures say ``other: Tensor[Any, E, D]``, so any two shapes
pass, and after ``signatures`` widened the operands, any two dtypes and devices too. dfdx_py
never broadcasts implicitly, so both tensor operands must have one shape.

Algorithm: a Python scalar operand keeps the receiver's shape (the signature's answer). Two
tensors must agree in dtype and device, then their shapes unify dim by dim
(``shape_math.unify``): a static mismatch, two different symbols, or a symbol against a
static size is an error; ``Dyn`` matches anything, and the result keeps the more precise
dim. Shapes that are whole type variables (``S``) unify only with themselves. Unary
elementwise ops keep their shape through their signatures (``Tensor[S, E, D]``) and need
only the dtype check of ``rules.dtypes``.
"""

from __future__ import annotations

from mypy.types import Instance, LiteralType, Type, get_proper_type

from dfdx_mypy import errors, names
from dfdx_mypy.call import Call, compatible
from dfdx_mypy.rules.dtypes import concrete_dtype
from dfdx_mypy.shape_math import Failure, Shape, unify, unify_all
from dfdx_mypy.shape_types import (
    Opaque,
    ShapeInfo,
    TensorInfo,
    any_shape,
    replace_tensor_args,
    shape_to_type,
    tensor_info,
    type_name,
)


def unify_infos(op: str, infos: list[ShapeInfo]) -> Shape | Failure | None:
    """The common shape of several operands, ``None`` when it is not statically known (an
    unknown shape, or type-variable shapes that agree)."""
    opaque = [s for s in infos if isinstance(s, Opaque)]
    if opaque:
        if any(o.key != opaque[0].key for o in opaque):
            shown = " vs ".join(o.name for o in opaque)
            return Failure(f"{op}: shapes differ: {shown} (different shape variables)")
        return None
    shapes = [s for s in infos if s is not None and not isinstance(s, Opaque)]
    if len(shapes) != len(infos):
        return None
    return unify(op, shapes[0], shapes[1]) if len(shapes) == 2 else unify_all(op, shapes)


def keeps_shape(call: Call) -> Type:
    """Unary ops (``exp``, ``relu`` ...), ``trace``: the signature's ``Tensor[S, E, D]`` is
    the shape rule; only the receiver's dtype is checked (by the dispatcher)."""
    return call.default


def binary(call: Call) -> Type:
    """``a + b``, ``a == b``, ``maximum(a, b)`` ...: one shape, dtype and device."""
    a = call.receiver
    other = call.arg("other", 0, "b")
    b = tensor_info(other.type) if other is not None else None
    if a is None or b is None:
        return call.default  # a scalar operand: the receiver's shape
    if not call.same_dtype_and_device(a, b, "left vs right"):
        return any_shape(call.default)
    return call.result(unify_infos(call.op, [a.shape, b.shape]))


def choose(call: Call) -> Type:
    """``choose(cond, a, b)``: ``cond`` is ``bool_``; ``cond``, ``a`` and ``b`` (tensors or
    scalars, at least one a tensor) have one shape; the result has ``a``'s (or ``b``'s)
    dtype and ``cond``'s device."""
    cond = call.receiver
    if cond is None:
        return call.default
    tensors: list[tuple[str, TensorInfo]] = []
    scalars = 0
    for name, position in (("a", 0), ("b", 1)):
        arg = call.arg(name, position)
        info = tensor_info(arg.type) if arg is not None else None
        if info is not None:
            tensors.append((name, info))
        elif arg is not None and arg.type is not None and _is_number(arg.type):
            scalars += 1
    if scalars == 2:
        errors.no_tensor_operand(call.api, call.context, "choose")
        return any_shape(call.default)
    wrong = concrete_dtype(cond.dtype)
    if wrong is not None and wrong != names.BOOL_:
        errors.dtype_not_allowed(
            call.api, call.context, "choose", type_name(cond.dtype), "a bool_ cond (compare first)"
        )
        return any_shape(call.default)
    if not tensors:
        return call.default
    like = tensors[0][1]
    if len(tensors) == 2 and not call.same_dtype_and_device(like, tensors[1][1], "a vs b"):
        return any_shape(call.default)
    for name, t in tensors:
        if not compatible(cond.device, t.device):
            errors.devices_differ(
                call.api,
                call.context,
                "choose",
                type_name(cond.device),
                type_name(t.device),
                f"cond vs {name}",
            )
            return any_shape(call.default)
    ret = replace_tensor_args(call.default, dtype=like.dtype, device=cond.device)
    shape = unify_infos("choose", [cond.shape, *(t.shape for _, t in tensors)])
    if isinstance(shape, Failure):
        errors.shape_failure(call.api, call.context, shape)
        return any_shape(ret)
    if shape is None:
        return replace_tensor_args(ret, shape=cond.shape_type)
    return replace_tensor_args(ret, shape=shape_to_type(shape, call.api))


def _is_number(t: Type) -> bool:
    """Whether ``t`` is a Python number type (not a tensor, not ``Any``)."""
    p = get_proper_type(t)
    if isinstance(p, LiteralType):
        p = p.fallback
    return isinstance(p, Instance) and p.type.fullname in (
        "builtins.int",
        "builtins.float",
        "builtins.bool",
    )
