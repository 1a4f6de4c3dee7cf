"""Rules for the tape: ``backward()``.

What mypy cannot infer: ``Tensor.backward`` is a method of every tensor, but only a ``Rank0``
tensor (a loss) has one in dfdx. The rule reports ``backward()`` on a tensor whose static
shape has rank >= 1. A shape that is a type variable or unknown is left to run time.
(``trace``/``traced`` need a float dtype: ``rules.dtypes`` checks that.)
"""

from __future__ import annotations

from mypy.types import Type

from dfdx_mypy import errors
from dfdx_mypy.call import Call


def backward(call: Call) -> Type:
    """``loss.backward()``: only on a ``Rank0`` tensor."""
    x = call.receiver
    if x is not None and isinstance(x.shape, tuple) and x.shape:
        errors.backward_needs_rank0(call.api, call.context, x.shape)
    return call.default
