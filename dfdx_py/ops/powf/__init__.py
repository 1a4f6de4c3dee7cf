"""powf: ``x ** e`` for a float exponent ``e``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.elementwise import UnaryOp, scalar_param, unary
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

POWF = UnaryOp("powf", __name__)


def powf(x: Tensor[S, E, D], exponent: float) -> Tensor[S, E, D]:
    """``x ** exponent`` elementwise for a real ``exponent``. PyTorch:
    ``torch.pow(x, exponent)``.

    A negative ``x`` with a non-integer exponent gives ``nan``, silently as in PyTorch. The
    gradient is ``e·x^(e-1)``, and 0 everywhere when ``e == 0`` (as in PyTorch)::

        >>> dev.tensor([4.0, 9.0]).powf(1.5).numpy()
        array([ 8., 27.], dtype=float32)
    """
    return unary(POWF, x, scalar_param("powf", x, exponent))
