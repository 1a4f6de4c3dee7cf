"""nans_to: NaNs replaced by a value."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, scalar_param, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

NANS_TO = UnaryOp("nans_to", __name__)


def nans_to(x: Tensor[S, E, D], value: float) -> Tensor[S, E, D]:
    """``x`` with every NaN replaced by ``value`` (infinities are kept). PyTorch:
    ``torch.nan_to_num(x, nan=value, posinf=inf, neginf=-inf)``.

    The gradient is 0 where ``x`` was NaN and 1 elsewhere::

        >>> dev.tensor([1.0, float("nan")]).nans_to(0.0).numpy()
        array([1., 0.], dtype=float32)
    """
    return unary(NANS_TO, x, scalar_param("nans_to", x, value))
