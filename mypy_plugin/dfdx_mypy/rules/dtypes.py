"""Which dtypes each op accepts, checked on the receiver before the shape rule runs.

mypy sees ``Tensor[S, E, D]`` with ``E`` bound to ``DType``: it accepts ``exp`` on an ``i64``
tensor, which raises ``DTypeError`` at run time. This table mirrors the runtime's: float-only
ops, ops also defined for ``i64``, and the comparisons ``eq``/``ne`` that also take ``bool_``.
Only a concrete dtype (``i64``, ``bool_`` ...) outside the set is an error; a ``TypeVar`` or
``Any`` dtype is left to run time.

The float dtypes are ``f16 bf16 f32 f64`` and the mixed-precision ``AMP[f16]``,
``AMP[bf16]`` (to mypy, instances of the generic class ``AMP[H]``; at run time one dtype
class each). Every dtype is a dtype of its own: ``AMP[bf16]`` is neither ``bf16`` nor
``AMP[f16]``, and an op mixing two of them raises ``DTypeError`` (``Call.same_dtype_and_device``
reports it statically).
"""

from __future__ import annotations

from typing import Final

from mypy.types import CallableType, Instance, Type, TypeType, get_proper_type

from dfdx_mypy import errors, names
from dfdx_mypy.call import Call
from dfdx_mypy.shape_types import type_name

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
    """The name of a concrete dtype: the fullname of its class (``dfdx_py.dtypes.f32``), or
    ``dfdx_py.dtypes.AMP[bf16]`` for ``AMP[bf16]`` (``names.AMP_BF16``); ``None`` for a type
    variable, ``Any``, the ``DType`` base or an ``AMP`` whose half dtype is not concrete."""
    p = get_proper_type(t)
    if not isinstance(p, Instance) or not p.type.has_base(names.DTYPE):
        return None
    fullname = p.type.fullname
    if fullname == names.DTYPE:
        return None
    if fullname == names.AMP:
        half = get_proper_type(p.args[0]) if len(p.args) == 1 else None
        if not isinstance(half, Instance) or half.type.fullname not in names.HALF_DTYPES:
            return None
        return f"{names.AMP}[{half.type.name}]"
    return fullname


def dtype_instance(t: Type) -> Instance | None:
    """The dtype a dtype *value* stands for (``f32``, ``AMP[bf16]`` as an argument: mypy
    types them ``def () -> f32``), when it is concrete."""
    p = get_proper_type(t)
    if isinstance(p, CallableType) and p.is_type_obj():
        p = get_proper_type(p.ret_type)
    elif isinstance(p, TypeType):
        p = p.item
    if isinstance(p, Instance) and concrete_dtype(p) is not None:
        return p
    return None


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
    errors.dtype_not_allowed(call.api, call.context, call.op, type_name(receiver.dtype), allowed)
    return False
