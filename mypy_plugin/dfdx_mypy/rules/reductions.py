"""Rules for reductions, axis-wise normalisations and ``broadcast_to``.

What mypy cannot infer: ``x.sum(axis)`` returns ``Tensor[Any, E, D]``: which axes vanish
depends on the *value* of ``axis``. ``broadcast_to(shape, axes)`` likewise depends on the
values written. ``softmax`` and friends keep their shape (the signature says so) but the
axis must exist.

Algorithm: read ``axis`` from the call (``None``, an int literal, possibly negative, or a
tuple of them; anything else leaves mypy's answer), normalise it against the receiver's rank
(out of range or repeated: an error) and remove the reduced axes (``shape_math.reduce``). A
reduction over every axis gives ``Rank0`` even when the shape is a type variable.
``broadcast_to`` reads the target shape like a creation call and checks that removing the
new axes (by default the leading ones) leaves the input's shape.
"""

from __future__ import annotations

from mypy.types import Type

from dfdx_mypy.call import Call
from dfdx_mypy.shape_math import Failure, broadcast_to, check_axis, reduce
from dfdx_mypy.shape_types import Opaque, Unknown, axes_value, shape_value


def reduction(call: Call) -> Type:
    """``x.sum(axis)``, ``mean``, ``max``, ``min``, ``var``, ``std``, ``logsumexp``."""
    x = call.receiver
    if x is None:
        return call.default
    arg = call.arg("axis", 0)
    axis = None if arg is None else axes_value(arg.expr, arg.type)
    if isinstance(axis, Unknown):
        return call.default
    if x.shape is None or isinstance(x.shape, Opaque):
        return call.dims(()) if axis is None else call.default
    return call.result(reduce(call.op, x.shape, axis))


def along_axis(call: Call) -> Type:
    """``softmax(axis=-1)``, ``log_softmax``, ``normalize``: the shape is kept; the axis (or
    axes) must exist."""
    x = call.receiver
    if x is None or x.shape is None or isinstance(x.shape, Opaque):
        return call.default
    arg = call.arg("axis", 0)
    axis = -1 if arg is None else axes_value(arg.expr, arg.type)
    if isinstance(axis, Unknown):
        return call.default
    checked = check_axis(call.op, x.shape, axis)
    return call.fail(checked) if isinstance(checked, Failure) else call.default


def broadcast(call: Call) -> Type:
    """``x.broadcast_to(shape, axes=None)``: the written shape, when ``x`` fits in it."""
    x = call.receiver
    shape_arg = call.arg("shape", 0)
    if x is None or shape_arg is None:
        return call.default
    dst = shape_value(shape_arg.expr, shape_arg.type)
    if dst is None:
        return call.default
    axes_arg = call.arg("axes", 1)
    axes = None if axes_arg is None else axes_value(axes_arg.expr, axes_arg.type)
    if x.shape is None or isinstance(x.shape, Opaque) or isinstance(axes, Unknown):
        return call.result(dst)
    return call.result(broadcast_to(x.shape, dst, axes))
