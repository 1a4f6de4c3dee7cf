"""Rules for the ops that rearrange a shape: reshape, permute, transpose, realize, concat,
stack, slicing, select, gather, roll, tril and triu.

What mypy cannot infer: every one of these returns ``Tensor[Any, E, D]`` (or keeps ``S``
without checking its argument), because the output shape depends on argument *values*:
the shape tuple of ``reshape``, the permutation of ``permute``, the bounds of a slice, the
index tensor's rank for ``select``/``gather``, the tensors inside ``concat``'s tuple.

Algorithm: read those values from the call expressions (int literals and ``Final`` ints
are static, other ints ``Dyn``; see ``shape_types``), compute the output with
``shape_math`` and report its failure if any. When a value cannot be read statically (a
variable tuple, a starred argument) the rule keeps mypy's answer: never a false error.
"""

from __future__ import annotations

from mypy.nodes import EllipsisExpr, Expression, ListExpr, NameExpr, RefExpr, SliceExpr, TupleExpr
from mypy.types import AnyType, TupleType, Type, get_proper_type

from dfdx_mypy import errors, names
from dfdx_mypy.call import Call, compatible
from dfdx_mypy.rules.dtypes import concrete_dtype
from dfdx_mypy.shape_math import (
    DYN,
    ELLIPSIS,
    NEWAXIS,
    DynDim,
    Failure,
    Index,
    IndexItem,
    Shape,
    Slice,
    Sym,
    check_axis,
    concat,
    fmt_shape,
    gather,
    index,
    permute,
    realize,
    reshape,
    select,
    stack,
    transpose,
)
from dfdx_mypy.shape_types import (
    Opaque,
    TensorInfo,
    Unknown,
    any_shape,
    axes_value,
    int_value,
    literal_int,
    replace_tensor_args,
    shape_to_type,
    shape_value,
    static_ints,
    tensor_info,
    type_name,
)


def _known(x: TensorInfo | None) -> Shape | None:
    """The receiver's shape when it is a tuple of dims."""
    if x is None or x.shape is None or isinstance(x.shape, Opaque):
        return None
    return x.shape


def reshape_rule(call: Call) -> Type:
    """``x.reshape(shape)``: element counts agree; one ``-1`` is inferred."""
    arg = call.arg("shape", 0)
    if arg is None:
        return call.default
    dst = shape_value(arg.expr, arg.type)
    if dst is None:
        return call.default
    src = _known(call.receiver)
    return call.result(reshape(src if src is not None else (DYN,), dst))


def permute_rule(call: Call) -> Type:
    """``x.permute(axes)``: ``out[i] = shape[axes[i]]``."""
    src = _known(call.receiver)
    arg = call.arg("axes", 0)
    if src is None or arg is None:
        return call.default
    axes = static_ints(arg.expr, arg.type)
    return call.default if axes is None else call.result(permute(src, axes))


def transpose_rule(call: Call) -> Type:
    """``x.transpose(a, b)``: two axes swapped."""
    src = _known(call.receiver)
    a, b = call.arg("a", 0), call.arg("b", 1)
    if src is None or a is None or b is None:
        return call.default
    va, vb = int_value(a.expr, a.type), int_value(b.expr, b.type)
    if not isinstance(va, int) or not isinstance(vb, int):
        return call.default
    return call.result(transpose(src, va, vb))


def realize_rule(call: Call) -> Type:
    """``x.realize(shape)``: the written shape, unless ``x`` can never have it."""
    arg = call.arg("shape", 0)
    if arg is None:
        return call.default
    dst = shape_value(arg.expr, arg.type)
    if dst is None:
        return call.default
    src = _known(call.receiver)
    return call.result(dst if src is None else realize(src, dst))


def _sequence_items(call: Call) -> list[TensorInfo] | None:
    """The tensors of ``concat``/``stack``'s first argument: a tuple (or a list of names)."""
    arg = call.receiver_arg
    if arg is None or arg.type is None:
        return None
    p = get_proper_type(arg.type)
    types: list[Type]
    if isinstance(p, TupleType):
        types = list(p.items)
    elif isinstance(arg.expr, ListExpr | TupleExpr) and all(
        isinstance(e, RefExpr) for e in arg.expr.items
    ):
        types = [call.api.get_expression_type(e) for e in arg.expr.items]
    else:
        return None
    infos = [tensor_info(t) for t in types]
    if not infos or any(i is None for i in infos):
        return None
    return [i for i in infos if i is not None]


def _join(call: Call, combine: str, axis_default: int | None) -> Type:
    tensors = _sequence_items(call)
    if tensors is None:
        return call.default
    first = tensors[0]
    for k, t in enumerate(tensors[1:], start=1):
        if not call.same_dtype_and_device(first, t, f"tensor 0 vs tensor {k}"):
            return any_shape(call.default)
    ret = replace_tensor_args(call.default, dtype=first.dtype, device=first.device)
    arg = call.arg("axis", 0)
    if arg is None and axis_default is None:
        return ret
    axis = axis_default if arg is None else axes_value(arg.expr, arg.type)
    shapes = [t.shape for t in tensors]
    if not isinstance(axis, int) or any(s is None or isinstance(s, Opaque) for s in shapes):
        return ret
    known = [s for s in shapes if s is not None and not isinstance(s, Opaque)]
    shape = concat(known, axis) if combine == "concat" else stack(known, axis)
    if isinstance(shape, Failure):
        errors.shape_failure(call.api, call.context, shape)
        return any_shape(ret)
    return replace_tensor_args(ret, shape=shape_to_type(shape, call.api))


def concat_rule(call: Call) -> Type:
    """``concat((a, b), axis)``: sizes along ``axis`` add up, the other dims agree."""
    return _join(call, "concat", None)


def stack_rule(call: Call) -> Type:
    """``stack((a, b), axis=0)``: equal shapes, a new axis of size ``len(tensors)``."""
    return _join(call, "stack", 0)


# -- indexing -----------------------------------------------------------------------------


def _bound(expr: Expression | None) -> int | DynDim | None:
    if expr is None or (isinstance(expr, NameExpr) and expr.fullname == "builtins.None"):
        return None
    value = literal_int(expr)
    return DYN if value is None else value


def _index_item(expr: Expression, typ: Type | None) -> IndexItem | Failure | None:
    if isinstance(expr, SliceExpr):
        return Slice(_bound(expr.begin_index), _bound(expr.end_index), _bound(expr.stride))
    if isinstance(expr, EllipsisExpr):
        return ELLIPSIS
    if isinstance(expr, NameExpr) and expr.fullname == "builtins.None":
        return NEWAXIS
    if typ is not None and tensor_info(typ) is not None:
        return Failure(
            "slice: indexing with a tensor is not supported; use x.select(indices, axis) or "
            "x.gather(indices, axis)"
        )
    if typ is not None and isinstance(get_proper_type(typ), AnyType):
        return None  # an ``Any`` index may be a slice or a tuple
    value = int_value(expr, typ)
    if isinstance(value, int):
        return Index(value)
    if isinstance(value, DynDim | Sym):
        return Index(DYN)
    return None  # not an int: leave it to mypy and the run time


def getitem_rule(call: Call) -> Type:
    """``x[1:3, ..., 0]``: ints remove an axis; slices with literal bounds have a static
    length; ``...`` fills in full slices."""
    src = _known(call.receiver)
    arg = call.arg("index", 0)
    if src is None or arg is None or arg.expr is None:
        return call.default
    exprs = arg.expr.items if isinstance(arg.expr, TupleExpr) else [arg.expr]
    p = get_proper_type(arg.type) if arg.type is not None else None
    if isinstance(arg.expr, TupleExpr):
        types: list[Type | None] = (
            list(p.items)
            if isinstance(p, TupleType) and len(p.items) == len(exprs)
            else [None] * len(exprs)
        )
    else:
        types = [arg.type]
    items: list[IndexItem] = []
    for e, t in zip(exprs, types, strict=True):
        item = _index_item(e, t)
        if isinstance(item, Failure):
            return call.fail(item)
        if item is None:
            return call.default
        items.append(item)
    return call.result(index(src, items))


_REPORTED = Failure("(reported already)")


def _index_tensor(call: Call, arg_type: Type | None) -> TensorInfo | Failure | None:
    """The index tensor of select/gather, ``None`` for an int index; ``_REPORTED`` after
    reporting an index that is not ``i64`` or lives on another device."""
    if arg_type is None:
        return None
    idx = tensor_info(arg_type)
    x = call.receiver
    if idx is None or x is None:
        return None
    dtype = concrete_dtype(idx.dtype)
    if dtype is not None and dtype != names.I64:
        errors.dtype_not_allowed(
            call.api, call.context, call.op, type_name(idx.dtype), "an i64 index tensor"
        )
        return _REPORTED
    if not compatible(x.device, idx.device):
        errors.devices_differ(
            call.api,
            call.context,
            call.op,
            type_name(x.device),
            type_name(idx.device),
            "x vs indices",
        )
        return _REPORTED
    return idx


def _select_or_gather(call: Call) -> Type:
    arg = call.arg("indices", 0)
    axis_arg = call.arg("axis", 1)
    src = _known(call.receiver)
    if arg is None:
        return call.default
    idx = _index_tensor(call, arg.type)
    if isinstance(idx, Failure):
        return any_shape(call.default)
    axis = None if axis_arg is None else axes_value(axis_arg.expr, axis_arg.type)
    if src is None or not (axis is None or isinstance(axis, int)):
        return call.default
    if call.op == "gather":
        if idx is None or idx.shape is None or isinstance(idx.shape, Opaque):
            return call.default
        return call.result(gather(src, idx.shape, axis))
    if idx is None:  # an int index: like x[..., i] on axis (default 0)
        value = int_value(arg.expr, arg.type)
        if value is None or not isinstance(value, int | DynDim):
            return call.default
        ax = 0 if axis is None else axis
        checked = check_axis("select", src, ax)
        if isinstance(checked, Failure):
            return call.fail(checked)
        n = ax + len(src) if ax < 0 else ax
        picked = index(src, [*(Slice() for _ in range(n)), Index(value)])
        if isinstance(picked, Failure):
            return call.fail(Failure(picked.message.replace("slice:", "select:", 1)))
        return call.result(picked)
    if idx.shape is None or isinstance(idx.shape, Opaque):
        return call.default
    return call.result(select(src, idx.shape, axis))


def select_rule(call: Call) -> Type:
    """``x.select(indices, axis=None)``: the index shape is ``x.shape[:axis]``."""
    return _select_or_gather(call)


def gather_rule(call: Call) -> Type:
    """``x.gather(indices, axis=None)``: the index shape is ``x.shape[:axis] + (N,)``."""
    return _select_or_gather(call)


def roll_rule(call: Call) -> Type:
    """``x.roll(shift, axis)``: the shape is kept; the axis must exist."""
    src = _known(call.receiver)
    arg = call.arg("axis", 1)
    if src is None or arg is None:
        return call.default
    axis = axes_value(arg.expr, arg.type)
    if isinstance(axis, Unknown) or axis is None:
        return call.default
    checked = check_axis("roll", src, axis)
    return call.fail(checked) if isinstance(checked, Failure) else call.default


def triangle_rule(call: Call) -> Type:
    """``x.tril(k)`` / ``x.triu(k)``: the shape is kept; it needs rank >= 2."""
    src = _known(call.receiver)
    if src is not None and len(src) < 2:
        return call.fail(
            Failure(f"{call.op}: needs a tensor of rank >= 2, got shape {fmt_shape(src)}")
        )
    return call.default
