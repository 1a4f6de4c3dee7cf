"""logsumexp: ``log Σ e^x`` over some axes, removing them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfdx_py.ops.reduction import Axes, ReduceOp, reduce
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

LOGSUMEXP = ReduceOp("logsumexp", __name__)


def logsumexp(x: Tensor[Any, E, D], axis: Axes = None) -> Tensor[Any, E, D]:
    """``log Σ e^x`` over ``axis`` (every axis when ``None``; negative axes and tuples
    allowed), with the reduced axes removed. PyTorch: ``torch.logsumexp(x, dim=axis)``.

    Computed stably as ``m + log Σ e^(x - m)`` with ``m`` the maximum (taken as 0 where it is
    infinite, as PyTorch does, so ``+inf`` gives ``+inf`` and an all ``-inf`` row ``-inf``).
    An empty reduction gives ``-inf``. The gradient is ``softmax(x) * grad_y``::

        >>> dev.tensor([[0.0, 0.0], [1.0, 1.0]]).logsumexp(axis=1).numpy()
        array([0.6931472, 1.6931472], dtype=float32)
    """
    return reduce(LOGSUMEXP, x, axis)
