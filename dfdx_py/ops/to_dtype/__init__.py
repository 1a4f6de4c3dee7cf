"""to_dtype: a tensor converted to another dtype."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from dfdx_py.autograd.tape import record
from dfdx_py.dtypes import DType, as_dtype
from dfdx_py.ops.registry import Op
from dfdx_py.tensor import wrap
from dfdx_py.type_vars import D, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

E1 = TypeVar("E1", bound=DType)
E2 = TypeVar("E2", bound=DType)


class ToDtypeKernel(Protocol):
    """A device's dtype conversion: ``forward`` converts the values, ``backward`` converts a
    gradient back to the input's dtype (float to float only)."""

    def forward(self, x: Any, src: type[DType], dst: type[DType]) -> Any: ...

    def backward(self, grad_y: Any, src: type[DType]) -> Any: ...


TO_DTYPE = Op[ToDtypeKernel]("to_dtype", __name__)


def to_dtype(x: Tensor[S, E1, D], dtype: type[E2]) -> Tensor[S, E2, D]:
    """``x`` converted to ``dtype`` (a dtype class such as ``f64``, or its name).
    PyTorch: ``x.to(torch.float64)``.

    The same dtype returns ``x`` itself. Float to float is differentiable: the gradient is
    converted back to ``x``'s dtype. Float to ``i64`` truncates toward zero (as PyTorch and
    numpy) and raises ``ValueError`` for NaN or infinite values (PyTorch returns garbage);
    to ``bool_`` gives ``x != 0``; ``bool_`` to a number gives 0 and 1. An ``i64`` or
    ``bool_`` result carries no gradient (it stays on the tape of a traced input)::

        >>> dev.tensor([1.5, -2.7]).to_dtype(i64).numpy()
        array([ 1, -2])
    """
    dst = as_dtype(dtype)
    src = x.dtype
    if dst is src:
        return x  # type: ignore[return-value]
    kernel = TO_DTYPE.kernel(x.device)
    out = wrap(kernel.forward(x._data, src, dst), dst, x.device)
    if x._tape is not None:
        if src.is_float and dst.is_float:
            record(out, (x,), lambda grad_y, needs: (kernel.backward(grad_y, src),))
        else:  # no gradient crosses an integer dtype, but the result stays on the tape
            record(out, (x,), lambda grad_y, needs: (None,))
    return out
