"""clamp: ``min(max(x, lo), hi)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, scalar_param, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

CLAMP = UnaryOp("clamp", __name__, ints=True)


def clamp(x: Tensor[S, E, D], lo: float, hi: float) -> Tensor[S, E, D]:
    """``min(max(x, lo), hi)`` elementwise. PyTorch: ``torch.clamp(x, lo, hi)``.

    Also defined for ``i64`` tensors (then ``lo`` and ``hi`` must be whole numbers).
    ``lo > hi`` raises ``ValueError`` (as dfdx; PyTorch would return ``hi`` everywhere).
    ``nan`` stays ``nan``. The gradient is 1 where ``lo <= x <= hi`` (bounds included, as
    dfdx and PyTorch) and 0 elsewhere::

        >>> dev.tensor([-2.0, 0.5, 3.0]).clamp(-1.0, 1.0).numpy()
        array([-1. ,  0.5,  1. ], dtype=float32)
    """
    lo_value = scalar_param("clamp", x, lo)
    hi_value = scalar_param("clamp", x, hi)
    if lo_value > hi_value:
        raise ValueError(f"clamp: lo must be <= hi, got lo={lo!r} > hi={hi!r}")
    return unary(CLAMP, x, lo_value, hi_value)
