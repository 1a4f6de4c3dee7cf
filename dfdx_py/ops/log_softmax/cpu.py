"""log_softmax on the Cpu: softmax's blocked (and, when large, threaded) row kernel, ending
in a log instead of a division."""

from typing import Any

import numpy as np

from dfdx_py.ops.cpu_common import (
    in_f32,
    is_last_axis_rows,
    keep_sum,
    map_row_blocks,
    row_sums,
    work_array,
)
from dfdx_py.ops.log_softmax import LOG_SOFTMAX

Array = np.ndarray[Any, Any]


def _log_softmax_block(xb: Array, ob: Array) -> None:
    np.subtract(xb, xb.max(axis=1, keepdims=True), out=ob)
    s = row_sums(np.exp(ob))  # e^(x - max) of one block: only its row sums are kept
    np.log(s, out=s)
    ob -= s[:, None]


def log_softmax_forward(x: Array, axes: tuple[int, ...]) -> Array:
    """Stable log-softmax of ``x`` along ``axes``, in a fresh array of ``x``'s dtype."""
    if is_last_axis_rows(x, axes):
        y = np.empty_like(x)
        map_row_blocks(_log_softmax_block, x, y)
        return y
    if x.size == 0:
        return np.empty_like(x)
    w = work_array(x)
    out: Array = np.subtract(w, w.max(axis=axes, keepdims=True), out=np.empty_like(w))
    lse = keep_sum(np.exp(out), axes)
    np.log(lse, out=lse)
    out -= lse
    return out.astype(x.dtype, copy=False)


def log_softmax_backward(y: Array, grad_y: Array, axes: tuple[int, ...]) -> Array:
    """``grad_y - e^y * Σ grad_y`` along ``axes``."""
    w = work_array(y)
    g = grad_y.astype(w.dtype, copy=False)
    t = np.exp(w, out=np.empty_like(w))
    t *= keep_sum(g, axes)
    np.subtract(g, t, out=t)
    return t.astype(y.dtype, copy=False)


@LOG_SOFTMAX.register("cpu")
class LogSoftmaxCpu:
    def forward(self, x: Array, axes: tuple[int, ...]) -> Array:
        if x.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return in_f32(self.forward, x, axes)
        return log_softmax_forward(x, axes)

    def backward_with_input(
        self, x: Array, y: Array, grad_y: Array, axes: tuple[int, ...]
    ) -> Array:
        if x.itemsize == 2:  # f16/bf16: from the f32 output, not the rounded y
            y32 = log_softmax_forward(x.astype(np.float32), axes)
            return self.backward(y32, grad_y.astype(np.float32), axes).astype(x.dtype)
        return self.backward(y, grad_y, axes)

    def backward(self, y: Array, grad_y: Array, axes: tuple[int, ...]) -> Array:
        if y.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return in_f32(self.backward, y, grad_y, axes)
        return log_softmax_backward(y, grad_y, axes)
