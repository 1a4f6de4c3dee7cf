"""Rules for the creation methods of a device: ``zeros``, ``ones``, ``full``,
``sample_normal``, ``sample_uniform``, ``tensor`` and ``arange``.

What mypy cannot infer: ``dev.zeros((64, 784))`` binds ``S`` to ``tuple[int, int]``, losing
the literal sizes; ``dev.tensor([[1.0, 2.0]])`` has no shape or dtype in its signature at
all; ``dev.arange(10)`` is ``tuple[int]``.

Algorithm: read the shape argument's expression (``shape_types.shape_value``: int literals
and ``Final`` ints static, other ints ``Dyn``) and put it into the return type. For
``tensor``, walk the nested list literal: its nesting gives the shape (ragged lists are an
error) and the element type gives the dtype as at run time (Python floats ``f32``, ints
``i64``, bools ``bool_``; ``dtype=`` wins); a ``shape=`` argument must agree with the data.

The creation methods are overloaded, and mypy tries each overload with errors muted: an
error reported while refining the return type would silently reject the overload. So
errors are reported from the *signature* hook (which runs once per overload, unmuted, and
sees only expressions; mypy drops the duplicates) and the method hook only refines types.
"""

from __future__ import annotations

from mypy.nodes import (
    Expression,
    FloatExpr,
    IntExpr,
    ListExpr,
    NameExpr,
    RefExpr,
    TupleExpr,
    UnaryExpr,
    Var,
)
from mypy.plugin import MethodSigContext
from mypy.types import (
    FunctionLike,
    Instance,
    LiteralType,
    TupleType,
    Type,
    get_proper_type,
)

from dfdx_mypy import errors, names
from dfdx_mypy.call import Call
from dfdx_mypy.shape_math import Failure, Shape, fmt_shape
from dfdx_mypy.shape_types import int_value, replace_tensor_args, shape_value, with_shape

SHAPED = ("zeros", "ones", "full", "sample_normal", "sample_uniform")
"""The creation methods whose first argument ``shape`` is the shape."""

_KIND_DTYPES = {"float": names.F32, "int": names.I64, "bool": names.BOOL_}


# -- the nested-list literal of ``tensor`` -------------------------------------------------


def _is_scalar_literal(expr: Expression) -> bool:
    if isinstance(expr, IntExpr | FloatExpr):
        return True
    if isinstance(expr, UnaryExpr) and expr.op in ("-", "+"):
        return _is_scalar_literal(expr.expr)
    if isinstance(expr, NameExpr) and expr.fullname in ("builtins.True", "builtins.False"):
        return True
    if isinstance(expr, RefExpr) and isinstance(expr.node, Var) and expr.node.type is not None:
        t = get_proper_type(expr.node.type)
        return isinstance(t, Instance | LiteralType) and _kind(t) is not None
    return False


def data_shape(expr: Expression) -> Shape | Failure | None:
    """The shape of a nested list literal: ``[[1.0, 2.0], [3.0, 4.0]]`` is ``(2, 2)``;
    ``None`` when it holds something other than literals and number names."""
    if isinstance(expr, ListExpr | TupleExpr):
        children = [data_shape(e) for e in expr.items]
        shapes: list[Shape] = []
        for c in children:
            if isinstance(c, Failure):
                return c
            if c is not None:
                shapes.append(c)
        if len(shapes) != len(children):
            return None
        for s in shapes[1:]:
            if s != shapes[0]:
                return Failure(
                    f"tensor: nested lists are ragged: items of shapes {fmt_shape(shapes[0])} "
                    f"and {fmt_shape(s)} in one list"
                )
        return (len(children), *(shapes[0] if shapes else ()))
    return () if _is_scalar_literal(expr) else None


def data_kind(expr: Expression) -> str | None:
    """``float``, ``int`` or ``bool``: the element kind of a nested list literal, as numpy
    promotes it (any float makes floats; bools with ints make ints); ``None`` if unknown."""
    if isinstance(expr, ListExpr | TupleExpr):
        kinds = [data_kind(e) for e in expr.items]
        if not kinds:
            return "float"  # numpy makes an empty list float64: f32
        if any(k is None for k in kinds):
            return None
        return next(k for k in ("float", "int", "bool") if k in kinds)
    if isinstance(expr, FloatExpr):
        return "float"
    if isinstance(expr, IntExpr):
        return "int"
    if isinstance(expr, UnaryExpr) and expr.op in ("-", "+"):
        inner = data_kind(expr.expr)
        return "int" if inner == "bool" else inner
    if isinstance(expr, NameExpr) and expr.fullname in ("builtins.True", "builtins.False"):
        return "bool"
    if isinstance(expr, RefExpr) and isinstance(expr.node, Var) and expr.node.type is not None:
        return _kind(expr.node.type)
    return None


def _kind(t: Type) -> str | None:
    """``float``, ``int`` or ``bool``: the element type of (nested) lists of numbers."""
    p = get_proper_type(t)
    if isinstance(p, LiteralType):
        p = p.fallback
    if isinstance(p, TupleType):
        kinds = [_kind(i) for i in p.items]
        if not kinds or any(k is None for k in kinds):
            return None if kinds else "float"
        for k in ("float", "int", "bool"):
            if k in kinds:
                return k
        return None
    if not isinstance(p, Instance):
        return None
    name = p.type.fullname
    if name in ("builtins.list", "builtins.tuple") and len(p.args) == 1:
        return _kind(p.args[0])
    return {"builtins.float": "float", "builtins.int": "int", "builtins.bool": "bool"}.get(name)


# -- method hooks: refine the return type --------------------------------------------------


def shaped(call: Call) -> Type:
    """``dev.zeros((64, 784))`` and friends: the shape written."""
    arg = call.arg("shape", 0)
    if arg is None:
        return call.default
    shape = shape_value(arg.expr, arg.type)
    if shape is None or any(isinstance(d, int) and d < 0 for d in shape):
        return call.default
    return call.result(shape)


def tensor(call: Call) -> Type:
    """``dev.tensor(data, shape=None, dtype=None)``: shape and dtype from the data literal,
    or the declared shape."""
    ret = call.default
    data = call.arg("data", 0)
    declared = call.arg("shape", 1)
    shape: Shape | None = None
    if declared is not None:
        shape = shape_value(declared.expr, declared.type)
    elif data is not None and data.expr is not None:
        found = data_shape(data.expr)
        shape = found if not isinstance(found, Failure) else None
    if call.arg("dtype", 2) is None and data is not None and data.expr is not None:
        kind = data_kind(data.expr)
        dtype = call.named_instance(_KIND_DTYPES[kind]) if kind is not None else None
        if dtype is not None:
            ret = replace_tensor_args(ret, dtype=dtype)
    if shape is None or any(isinstance(d, int) and d < 0 for d in shape):
        return ret
    return with_shape(ret, shape, call.api)


def arange(call: Call) -> Type:
    """``dev.arange(10)``: ``Rank1[10]``."""
    arg = call.arg("n", 0)
    if arg is None:
        return call.default
    n = int_value(arg.expr, arg.type)
    if isinstance(n, int) and n < 0:
        errors.shape_message(call.api, call.context, f"arange: n must be >= 0, got {n}")
        return call.default
    return call.default if n is None else call.result((n,))


# -- signature hooks: report errors (once per overload; duplicates are dropped) -------------


def _sig_arg(ctx: MethodSigContext, name: str) -> Expression | None:
    names_ = ctx.default_signature.arg_names
    if name not in names_:
        return None
    exprs = ctx.args[names_.index(name)]
    return exprs[0] if len(exprs) == 1 else None


def _negative_dims(op: str, expr: Expression | None) -> str | None:
    shape = shape_value(expr, None) if expr is not None else None
    if shape is None:
        return None
    bad = [d for d in shape if isinstance(d, int) and d < 0]
    if bad:
        return f"{op}: a dim must be >= 0, got {bad[0]} in {fmt_shape(shape)}"
    return None


def check_creation(op: str, ctx: MethodSigContext) -> FunctionLike:
    """Report a creation call's errors: negative dims, a float-only sampler given a
    non-float dtype, ragged data or data that disagrees with ``shape=``."""
    shape_expr = _sig_arg(ctx, "shape")
    message = _negative_dims(op, shape_expr)
    if message is not None:
        errors.shape_message(ctx.api, ctx.context, message)
    if op.startswith("sample_"):
        dtype = _sig_arg(ctx, "dtype")
        if (
            isinstance(dtype, RefExpr)
            and dtype.fullname.startswith("dfdx_py.dtypes.")
            and dtype.fullname not in (*names.FLOAT_DTYPES, names.DTYPE)
        ):
            errors.dtype_not_allowed(
                ctx.api, ctx.context, op, dtype.fullname.rsplit(".", 1)[1], "a float dtype"
            )
    if op == "tensor":
        data = _sig_arg(ctx, "data")
        found = data_shape(data) if data is not None else None
        if isinstance(found, Failure):
            errors.shape_failure(ctx.api, ctx.context, found)
        elif found is not None and shape_expr is not None and message is None:
            declared = shape_value(shape_expr, None)
            if declared is not None and _contradicts(found, declared):
                errors.shape_message(
                    ctx.api,
                    ctx.context,
                    f"tensor: data has shape {fmt_shape(found)}, declared shape is "
                    f"{fmt_shape(declared)}",
                )
    return ctx.default_signature


def _contradicts(data: Shape, declared: Shape) -> bool:
    if len(data) != len(declared):
        return True
    return any(
        isinstance(d, int) and isinstance(s, int) and d != s
        for d, s in zip(data, declared, strict=True)
    )
