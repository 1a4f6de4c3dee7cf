"""Comparisons ``eq ne gt ge lt le``: elementwise, returning ``bool_`` tensors.

One module for the six ops, as dfdx's ``cmp``. Each compares a tensor with a tensor of the
same shape, dtype and device, or with a Python scalar, and returns an *untraced* ``bool_``
tensor (a comparison has no gradient), even when its input is traced. ``f16 bf16 f32 f64
i64`` tensors compare; ``bool_`` tensors support ``eq`` and ``ne``. NaN compares as in
IEEE 754, NumPy and PyTorch: every comparison with NaN is false except ``ne``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from dfdx_py.dtypes import bool_, i64
from dfdx_py.errors import DTypeError, shapes_differ
from dfdx_py.ops.registry import Op
from dfdx_py.tensor import Tensor, check_same_device, wrap
from dfdx_py.type_vars import D, E, S

if TYPE_CHECKING:
    from dfdx_py.dtypes import DType


class CmpKernel(Protocol):
    """What a device supplies for a comparison: bool storage from two storages of one shape,
    or from a storage and a Python scalar (already checked against the tensor's dtype)."""

    def forward(self, a: Any, b: Any) -> Any: ...

    def scalar_forward(self, x: Any, scalar: float | int | bool) -> Any: ...


class CmpOp(Op[CmpKernel]):
    """A comparison; ``bools`` says whether it also accepts ``bool_`` tensors (eq, ne)."""

    __slots__ = ("bools",)

    def __init__(self, name: str, package: str, *, bools: bool = False) -> None:
        super().__init__(name, package)
        self.bools = bools


EQ = CmpOp("eq", __name__, bools=True)
NE = CmpOp("ne", __name__, bools=True)
GT = CmpOp("gt", __name__)
GE = CmpOp("ge", __name__)
LT = CmpOp("lt", __name__)
LE = CmpOp("le", __name__)


def _check_dtype(op: CmpOp, dtype: type[DType]) -> None:
    if dtype.is_float or dtype is i64 or (op.bools and dtype is bool_):
        return
    kinds = "float, i64 or bool_" if op.bools else "float or i64"
    raise DTypeError(f"{op.name}: not defined for {dtype} tensors (compares {kinds} tensors)")


def _scalar(op: CmpOp, dtype: type[DType], value: Any) -> float | int | bool:
    """A Python scalar operand checked against the tensor's dtype.

    A bool tensor compares with a bool; a number tensor with an int or a float (an ``i64``
    tensor compared with ``0.5`` compares exactly, as NumPy does). A float scalar is rounded
    to a float tensor's dtype first (``f32`` tensor ``== 0.1`` means ``== f32(0.1)``), as in
    NumPy, PyTorch and dfdx.
    """
    if dtype is bool_:
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise DTypeError(f"{op.name}: a bool_ tensor compares with a bool, got {value!r}")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise DTypeError(
            f"{op.name}: expected a tensor or a Python number, got {type(value).__name__}"
        )
    if isinstance(value, (np.integer, int)):
        return int(value)
    return float(value)


def compare(op: CmpOp, a: Tensor[S, Any, D], b: Any) -> Tensor[S, bool_, D]:
    """Apply comparison ``op`` to tensor ``a`` and a tensor or a scalar ``b``; never traced."""
    if not isinstance(a, Tensor):
        raise DTypeError(f"{op.name}: the first operand must be a tensor, got {type(a).__name__}")
    dtype = a.dtype
    _check_dtype(op, dtype)
    if isinstance(b, Tensor):
        if a.shape != b.shape:
            raise shapes_differ(
                op.name, a.shape, b.shape, "dfdx_py never broadcasts implicitly: use broadcast_to"
            )
        if b.dtype is not dtype:
            raise DTypeError(f"{op.name}: dtypes differ: {dtype} and {b.dtype}")
        if b.device is not a.device:
            check_same_device(op.name, (a, b))
        y = op.kernel(a.device).forward(a._data, b._data)
    else:
        y = op.kernel(a.device).scalar_forward(a._data, _scalar(op, dtype, b))
    return wrap(y, bool_, a.device)


def eq(a: Tensor[S, E, D], b: Tensor[Any, E, D] | float) -> Tensor[S, bool_, D]:
    """``a == b`` elementwise, a ``bool_`` tensor. PyTorch: ``torch.eq(a, b)``, without
    broadcasting; ``b`` is a tensor of ``a``'s shape or a scalar::

        >>> (dev.tensor([1.0, 2.0]) == dev.tensor([1.0, 3.0])).numpy()
        array([ True, False])
    """
    return compare(EQ, a, b)


def ne(a: Tensor[S, E, D], b: Tensor[Any, E, D] | float) -> Tensor[S, bool_, D]:
    """``a != b`` elementwise, a ``bool_`` tensor (true where either is NaN).
    PyTorch: ``torch.ne(a, b)``, without broadcasting::

        >>> (dev.tensor([1.0, 2.0]) != 1.0).numpy()
        array([False,  True])
    """
    return compare(NE, a, b)


def gt(a: Tensor[S, E, D], b: Tensor[Any, E, D] | float) -> Tensor[S, bool_, D]:
    """``a > b`` elementwise, a ``bool_`` tensor. PyTorch: ``torch.gt(a, b)``, without
    broadcasting::

        >>> (dev.tensor([1.0, 2.0]) > 1.0).numpy()
        array([False,  True])
    """
    return compare(GT, a, b)


def ge(a: Tensor[S, E, D], b: Tensor[Any, E, D] | float) -> Tensor[S, bool_, D]:
    """``a >= b`` elementwise, a ``bool_`` tensor. PyTorch: ``torch.ge(a, b)``, without
    broadcasting::

        >>> (dev.tensor([1.0, 2.0]) >= 2.0).numpy()
        array([False,  True])
    """
    return compare(GE, a, b)


def lt(a: Tensor[S, E, D], b: Tensor[Any, E, D] | float) -> Tensor[S, bool_, D]:
    """``a < b`` elementwise, a ``bool_`` tensor. PyTorch: ``torch.lt(a, b)``, without
    broadcasting::

        >>> (dev.tensor([1.0, 2.0]) < 2.0).numpy()
        array([ True, False])
    """
    return compare(LT, a, b)


def le(a: Tensor[S, E, D], b: Tensor[Any, E, D] | float) -> Tensor[S, bool_, D]:
    """``a <= b`` elementwise, a ``bool_`` tensor. PyTorch: ``torch.le(a, b)``, without
    broadcasting::

        >>> (dev.tensor([1, 2, 3]) <= 2).numpy()
        array([ True,  True, False])
    """
    return compare(LE, a, b)
