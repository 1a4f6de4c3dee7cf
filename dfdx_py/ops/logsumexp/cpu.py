"""logsumexp on the Cpu."""

from typing import Any

import numpy as np

from dfdx_py.ops.cpu_common import reduced_size, work_array
from dfdx_py.ops.logsumexp import LOGSUMEXP
from dfdx_py.ops.reduction import expand_to
from dfdx_py.ops.sum.cpu import sum_axes

Array = np.ndarray[Any, Any]


def logsumexp_forward(x: Array, axes: tuple[int, ...]) -> Array:
    """``m + log Σ e^(x - m)`` over ``axes`` with ``m`` the finite part of the maximum."""
    if reduced_size(x.shape, axes) == 0:
        shape = tuple(d for i, d in enumerate(x.shape) if i not in axes)
        return np.full(shape, -np.inf, dtype=x.dtype)
    w = work_array(x)
    m = w.max(axis=axes, keepdims=True)
    # PyTorch's rule: an infinite max counts as 0, so +inf gives +inf and all -inf gives -inf
    m = np.where(np.isinf(m), w.dtype.type(0), m)
    t = np.subtract(w, m, out=np.empty_like(w))
    np.exp(t, out=t)
    s = np.asarray(sum_axes(t, axes))
    with np.errstate(divide="ignore"):  # log 0 = -inf: an all -inf reduction
        y: Array = np.log(s, out=s)
    y += m.reshape(y.shape)
    return y.astype(x.dtype, copy=False)


@LOGSUMEXP.register("cpu")
class LogSumExpCpu:
    def forward(self, x: Array, axes: tuple[int, ...]) -> Array:
        return logsumexp_forward(x, axes)

    def backward(self, x: Array, y: Array, grad_y: Array, axes: tuple[int, ...]) -> Array:
        w = work_array(x)
        t = np.subtract(w, expand_to(y, axes, x.shape), out=np.empty_like(w))
        np.exp(t, out=t)
        t *= expand_to(grad_y, axes, x.shape)
        return t.astype(x.dtype, copy=False)
