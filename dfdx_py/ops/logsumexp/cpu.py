"""logsumexp on the Cpu. f16/bf16 are computed in f32 and rounded once; their backward pass
recomputes the f32 result (``e^(x - y)`` with a rounded ``y`` would be off by ``|y|`` units
of roundoff)."""

from typing import Any

import numpy as np

from dfdx_py.ops.cpu_common import in_f32, reduced_size, sum_axes, work_array
from dfdx_py.ops.logsumexp import LOGSUMEXP
from dfdx_py.ops.reduction import expand_to

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
        if x.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return in_f32(self.forward, x, axes)
        return logsumexp_forward(x, axes)

    def backward(self, x: Array, y: Array, grad_y: Array, axes: tuple[int, ...]) -> Array:
        if x.itemsize == 2:  # f16/bf16: in f32, from the f32 result (not the rounded y)
            x32 = x.astype(np.float32)
            y32 = logsumexp_forward(x32, axes)
            return in_f32(self.backward, x32, y32, grad_y, axes)
        w = work_array(x)
        t = np.subtract(w, expand_to(y, axes, x.shape), out=np.empty_like(w))
        np.exp(t, out=t)
        t *= expand_to(grad_y, axes, x.shape)
        return t.astype(x.dtype, copy=False)
