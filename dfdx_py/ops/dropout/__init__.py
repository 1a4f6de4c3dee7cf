"""dropout: zero elements at random, scale the kept ones; only on a traced tensor."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from dfdx_py.autograd.tape import record
from dfdx_py.errors import DTypeError
from dfdx_py.ops.registry import Op
from dfdx_py.tensor import wrap
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor


class DropoutKernel(Protocol):
    """A device's dropout: ``mask`` (device storage, ``True`` = kept) comes from the caller,
    drawn from the device's seeded generator, so every device drops the same elements."""

    def forward(self, x: Any, mask: Any, p: float) -> Any: ...

    def backward(self, grad_y: Any, mask: Any, p: float) -> Any: ...


DROPOUT = Op[DropoutKernel]("dropout", __name__)


def dropout(x: Tensor[S, E, D], p: float = 0.5) -> Tensor[S, E, D]:
    """Zero each element with probability ``p`` and scale the kept ones by ``1/(1-p)``.
    PyTorch: ``torch.nn.functional.dropout(x, p, training=x.is_traced)``.

    Active only on a traced tensor (training); an untraced tensor is returned unchanged, as
    is any tensor when ``p == 0``. ``p`` must be in ``[0, 1)``. The mask is drawn from
    ``x.device.rng``, so a device's seed fixes it. The gradient is ``grad·mask/(1-p)``::

        >>> dev = Cpu(seed=0)           # the seed decides which elements survive
        >>> dev.ones((4,)).trace().dropout(0.5).numpy()
        array([2., 0., 0., 0.], dtype=float32)
    """
    given: object = p  # checked at run time: the annotation does not bind callers
    if isinstance(given, (bool, np.bool_)) or not isinstance(given, numbers.Real):
        raise TypeError(f"dropout: p must be a float, got {type(given).__name__} {given!r}")
    p = float(given)
    if not 0.0 <= p < 1.0:  # NaN fails too
        raise ValueError(f"dropout: p must be in [0, 1), got {p!r}")
    if not x.dtype.is_float:
        raise DTypeError(f"dropout: not defined for {x.dtype} tensors")
    if x._tape is None or p == 0.0:
        return x
    device = x.device
    mask = device._from_numpy(device.rng.random(x.shape) >= p)
    kernel = DROPOUT.kernel(device)
    out = wrap(kernel.forward(x._data, mask, p), x.dtype, device)
    record(out, (x,), lambda grad_y, needs: (kernel.backward(grad_y, mask, p),))
    return out
