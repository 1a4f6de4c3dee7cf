"""The matmul rules: ``matmul(a, b)``, ``a @ b`` and ``linear(x, weight, bias)``.

What mypy cannot infer: ``Tensor.__matmul__`` returns ``Tensor[Any, E, D]``; the output
shape, and whether the inner dims agree, depend on the ranks of both operands.

Algorithm: the pair of ranks picks one of dfdx's six forms (``shape_math.MATMUL_FORMS``);
any other pair is an error listing the forms. The inner dims (last of ``a``, first or
second-to-last of ``b``) must unify, and so must the batch dims of the batched forms; the
output is the batch dims, then ``M`` (unless ``a`` is a vector), then ``N`` (unless ``b``
is). ``linear`` is ``x @ weightᵀ + bias`` with PyTorch's weight layout ``(O, I)``: the
last dim of ``x`` must be ``I``, the bias ``(O,)``, and ``O`` replaces the last dim.
"""

from __future__ import annotations

from mypy.types import Type

from dfdx_mypy.call import Call
from dfdx_mypy.shape_math import linear, matmul
from dfdx_mypy.shape_types import Opaque, any_shape, tensor_info


def matmul_rule(call: Call) -> Type:
    """``a @ b``: one of dfdx's six forms, with agreeing inner and batch dims."""
    a = call.receiver
    other = call.arg("other", 0, "b")
    b = tensor_info(other.type) if other is not None else None
    if a is None or b is None:
        return call.default
    if not call.same_dtype_and_device(a, b, "left vs right"):
        return any_shape(call.default)
    if a.shape is None or b.shape is None:
        return call.default
    if isinstance(a.shape, Opaque) or isinstance(b.shape, Opaque):
        return call.default
    return call.result(matmul(a.shape, b.shape))


def linear_rule(call: Call) -> Type:
    """``linear(x, weight, bias=None)``: ``(..., I)`` with ``(O, I)`` gives ``(..., O)``."""
    x = call.receiver
    w_arg = call.arg("weight", 0)
    b_arg = call.arg("bias", 1)
    w = tensor_info(w_arg.type) if w_arg is not None else None
    b = tensor_info(b_arg.type) if b_arg is not None else None
    if x is None or w is None:
        return call.default
    if not call.same_dtype_and_device(x, w, "x vs weight"):
        return any_shape(call.default)
    if b is not None and not call.same_dtype_and_device(x, b, "x vs bias"):
        return any_shape(call.default)
    shapes = [x.shape, w.shape] + ([b.shape] if b is not None else [])
    if any(s is None or isinstance(s, Opaque) for s in shapes):
        return call.default
    assert x.shape is not None and w.shape is not None
    bias = None if b is None else b.shape
    return call.result(linear(x.shape, w.shape, bias))  # type: ignore[arg-type]
