"""log_softmax: ``x - logsumexp(x)`` along some axes, keeping the shape."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfdx_py.ops.registry import Op
from dfdx_py.ops.softmax import SoftmaxKernel, apply_softmax_like
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

LOG_SOFTMAX = Op[SoftmaxKernel]("log_softmax", __name__)


def log_softmax(x: Tensor[S, E, D], axis: int | tuple[int, ...] = -1) -> Tensor[S, E, D]:
    """``x - log Σ e^x`` along ``axis`` (an int, possibly negative, or a tuple of axes), the
    shape kept. PyTorch: ``torch.log_softmax(x, dim=axis)``.

    Computed stably in one fused kernel (``x - max - log Σ e^(x - max)``), so it never
    takes the log of an underflowed softmax. The gradient is
    ``grad_y - e^y * Σ grad_y``::

        >>> dev.tensor([0.0, 0.0]).log_softmax().numpy()
        array([-0.6931472, -0.6931472], dtype=float32)
    """
    return apply_softmax_like(LOG_SOFTMAX, x, axis)
