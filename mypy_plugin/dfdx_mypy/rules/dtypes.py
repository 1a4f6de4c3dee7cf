"""Which dtypes each op accepts, checked on the receiver before the shape rule runs.

mypy sees ``Tensor[S, E, D]`` with ``E`` bound to ``DType``: it accepts ``exp`` on an ``i64``
tensor, which raises ``DTypeError`` at run time. This table mirrors the runtime's: float-only
ops, ops also defined for ``i64``, and the comparisons ``eq``/``ne`` that also take ``bool_``.
Only a concrete dtype (``i64``, ``bool_`` ...) outside the set is an error; a ``TypeVar`` or
``Any`` dtype is left to run time.
"""

from __future__ import annotations

from typing import Final

from mypy.types import Instance, Type, get_proper_type

from dfdx_mypy import errors, names
from dfdx_mypy.call import Call

FLOAT: Final = names.FLOAT_DTYPES
FLOAT_INT: Final = FLOAT | {names.I64}
FLOAT_INT_BOOL: Final = FLOAT_INT | {names.BOOL_}

_FLOAT_OPS: Final = (
    "exp ln sqrt sin cos tanh sigmoid gelu fast_gelu accurate_gelu leaky_relu recip powf powi "
    "nans_to dropout div mean var std logsumexp softmax log_softmax normalize matmul conv1d "
    "conv2d conv_transpose2d pool2d upscale2d trace traced"
)
_FLOAT_INT_OPS: Final = (
    "abs clamp negate relu square add sub mul maximum minimum sum max min gt ge lt le"
)
_ANY_OPS: Final = "eq ne"

ACCEPTED: Final[dict[str, frozenset[str]]] = {
    **dict.fromkeys(_FLOAT_OPS.split(), FLOAT),
    **dict.fromkeys(_FLOAT_INT_OPS.split(), FLOAT_INT),
    **dict.fromkeys(_ANY_OPS.split(), FLOAT_INT_BOOL),
}

_WORDS: Final = {FLOAT: "a float tensor", FLOAT_INT: "a float or i64 tensor"}


def concrete_dtype(t: Type) -> str | None:
    """The fullname of a concrete dtype class (``dfdx_py.dtypes.f32``), or ``None`` for a
    type variable, ``Any`` or the ``DType`` base."""
    p = get_proper_type(t)
    if not isinstance(p, Instance) or not p.type.has_base(names.DTYPE):
        return None
    return None if p.type.fullname == names.DTYPE else p.type.fullname


def check_receiver_dtype(call: Call) -> bool:
    """Report (and return ``False``) when the receiver's dtype is statically not accepted."""
    accepted = ACCEPTED.get(call.op)
    receiver = call.receiver
    if accepted is None or receiver is None:
        return True
    dtype = concrete_dtype(receiver.dtype)
    if dtype is None or dtype in accepted:
        return True
    allowed = _WORDS.get(accepted, "a float, i64 or bool_ tensor")
    errors.dtype_not_allowed(call.api, call.context, call.op, dtype.rsplit(".", 1)[1], allowed)
    return False
