"""choose: ``a`` where ``cond`` is true, else ``b`` (``torch.where``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from dfdx_py.autograd.tape import record
from dfdx_py.dtypes import bool_
from dfdx_py.errors import DTypeError, shapes_differ
from dfdx_py.ops.registry import Op
from dfdx_py.tensor import Tensor, check_same_device, wrap
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.dtypes import DType


class ChooseKernel(Protocol):
    """What a device supplies for ``choose``: three storages of one shape in, one out."""

    def forward(self, cond: Any, a: Any, b: Any) -> Any: ...

    def backward(self, cond: Any, grad_y: Any, needs: Sequence[bool]) -> tuple[Any, Any]:
        """``(grad_y where cond else 0, 0 where cond else grad_y)``; ``None`` where not needed."""
        ...


CHOOSE = Op[ChooseKernel]("choose", __name__)


def choose(
    cond: Tensor[S, bool_, D],
    a: Tensor[Any, E, D] | float,
    b: Tensor[Any, E, D] | float,
) -> Tensor[S, E, D]:
    """``a`` where ``cond`` is true, else ``b``, elementwise. PyTorch: ``torch.where(cond,
    a, b)`` (dfdx: ``cond.choose(a, b)``), without broadcasting: ``cond``, ``a`` and ``b`` have
    one shape. ``cond`` is a ``bool_`` tensor; ``a`` and ``b`` share a dtype (any) and a
    device, and either one may be a Python scalar instead::

        >>> x = dev.tensor([-1.0, 2.0, -3.0])
        >>> dfdx.choose(x > 0, x, x * 0.1).numpy()
        array([-0.1,  2. , -0.3], dtype=float32)
        >>> dfdx.choose(x > 0, x, 0.0).numpy()
        array([0., 2., 0.], dtype=float32)

    The gradient flows to ``a`` where ``cond`` is true and to ``b`` elsewhere (0 at the
    other positions).
    """
    if not isinstance(cond, Tensor):
        raise DTypeError(f"choose: cond must be a bool_ tensor, got {type(cond).__name__}")
    if cond.dtype is not bool_:
        raise DTypeError(
            f"choose: cond must be a bool_ tensor, got {cond.dtype} (compare first, e.g. x > 0)"
        )
    a_t = a if isinstance(a, Tensor) else None
    b_t = b if isinstance(b, Tensor) else None
    like = a_t if a_t is not None else b_t
    if like is None:
        raise DTypeError("choose: a or b must be a tensor (both are Python scalars)")
    for name, t in (("a", a_t), ("b", b_t)):
        if t is not None and t.shape != cond.shape:
            raise shapes_differ("choose", cond.shape, t.shape, f"cond vs {name}")
    if a_t is not None and b_t is not None and a_t.dtype is not b_t.dtype:
        raise DTypeError(f"choose: dtypes differ: a is {a_t.dtype}, b is {b_t.dtype}")
    check_same_device("choose", [t for t in (cond, a_t, b_t) if t is not None])
    device = cond.device
    dtype = like.dtype
    a_data = a_t._data if a_t is not None else device._full(cond.shape, dtype, _scalar(dtype, a))
    b_data = b_t._data if b_t is not None else device._full(cond.shape, dtype, _scalar(dtype, b))
    kernel = CHOOSE.kernel(device)
    cond_data = cond._data
    out = wrap(kernel.forward(cond_data, a_data, b_data), dtype, device)
    if (a_t is not None and a_t._tape is not None) or (b_t is not None and b_t._tape is not None):
        record(out, (a_t, b_t), lambda grad_y, needs: kernel.backward(cond_data, grad_y, needs))
    return out


def _scalar(dtype: type[DType], value: Any) -> Any:
    """A Python scalar operand checked against the other operand's dtype."""
    if dtype is bool_:
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise DTypeError(f"choose: a bool scalar with a bool_ tensor, got {value!r}")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise DTypeError(
            f"choose: expected a tensor or a Python number, got {type(value).__name__}"
        )
    if not dtype.is_float:
        if not float(value).is_integer():
            raise DTypeError(f"choose: float scalar {value} with a {dtype} tensor")
        return int(value)
    return float(value)
