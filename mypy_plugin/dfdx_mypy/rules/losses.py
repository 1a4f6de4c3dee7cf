"""Rules for the losses of ``dfdx_py.losses``: ``mse_loss(pred, target)`` and the others.

What mypy cannot infer: ``mse_loss(pred: Tensor[S, E, D], target: Tensor[S, E, D])`` lets mypy
join two different shapes into ``S`` (no error), and two dtypes give "Cannot infer value of
type parameter" (code ``misc``), with no word about dtypes.

Algorithm: ``signatures`` widens the second tensor (``target``) as for a binary op; the rule
then checks what the runtime checks, in its order: the two shapes unify
(``shape_math.unify``), the classification losses have a class axis (a ``Rank0`` logits
tensor has none), both dtypes are floats, the dtypes are one (``AMP[bf16]`` predictions with
an ``f32`` target are a ``tensor-dtype`` error naming both) and so are the devices. The result
is the signature's ``Tensor[Rank0, E, D]`` with the prediction's dtype and device.
"""

from __future__ import annotations

from typing import Final

from mypy.types import Type

from dfdx_mypy import errors
from dfdx_mypy.call import Call
from dfdx_mypy.rules.dtypes import FLOAT, concrete_dtype
from dfdx_mypy.rules.elementwise import unify_infos
from dfdx_mypy.shape_math import Failure
from dfdx_mypy.shape_types import tensor_info, type_name

PREFIX: Final = "dfdx_py.losses."

LOSSES: Final[dict[str, tuple[str, str]]] = {
    **dict.fromkeys(
        ("mse_loss", "rmse_loss", "mae_loss", "huber_loss", "smooth_l1_loss"),
        ("pred", "target"),
    ),
    **dict.fromkeys(
        (
            "cross_entropy_with_logits_loss",
            "kl_div_with_logits_loss",
            "binary_cross_entropy_with_logits_loss",
        ),
        ("logits", "target_probs"),
    ),
}
"""Each loss and the names of its two tensor parameters."""

_CLASS_AXIS: Final = frozenset(("cross_entropy_with_logits_loss", "kl_div_with_logits_loss"))
"""Losses over the last axis (the classes): their logits need one."""


def loss_name(fullname: str) -> str | None:
    """The loss a function's fullname names (``dfdx_py.losses.mse_loss``), or ``None``."""
    if not fullname.startswith(PREFIX):
        return None
    name = fullname[len(PREFIX) :]
    return name if name in LOSSES else None


def loss_rule(call: Call) -> Type:
    """``loss(pred, target)``: one shape, float dtypes, one dtype, one device."""
    first, second = LOSSES[call.op]
    a = call.receiver
    other = call.arg(second, 0)
    b = tensor_info(other.type) if other is not None else None
    if a is None or b is None:
        return call.default
    where = f"{first} vs {second}"
    shape = unify_infos(call.op, [a.shape, b.shape])
    if isinstance(shape, Failure):
        errors.shape_message(call.api, call.context, f"{shape.message} ({where})")
        return call.default
    if call.op in _CLASS_AXIS and isinstance(a.shape, tuple) and not a.shape:
        errors.shape_message(
            call.api,
            call.context,
            f"{call.op}: {first} of shape () have no class axis (the last axis holds the classes)",
        )
        return call.default
    dtypes = (concrete_dtype(a.dtype), concrete_dtype(b.dtype))
    if any(d is not None and d not in FLOAT for d in dtypes):
        got = f"{first} {type_name(a.dtype)} and {second} {type_name(b.dtype)}"
        errors.dtype_not_allowed(call.api, call.context, call.op, got, "float tensors")
        return call.default
    call.same_dtype_and_device(a, b, where)
    return call.default
