"""log_softmax on the Cpu: softmax's blocked (and, when large, threaded) row kernel, ending
in a log instead of a division, with the same faster passes (row sums by ``np.einsum``, the
per-row subtractions with numpy's ufunc buffer no longer than a row).

It keeps the subtraction of each row's max that softmax's fast path leaves out. The result
``x - log Σ e^x`` is a difference: computed without the shift it would carry the rounding of
the large ``log Σ e^x`` (about ``|x|`` units of 2**-24 in f32), ruinous to the results near
0 of a row's dominant values; ``(x - max) - log Σ e^(x - max)`` subtracts the log of a sum
between 1 and the row length from an ``x - max`` that is exact near the max."""

from typing import Any

import numpy as np

from dfdx_py.ops.cpu_common import (
    fast_row_sums,
    in_f32,
    is_last_axis_rows,
    keep_sum,
    map_row_blocks,
    row_broadcast_buffer,
    work_array,
)
from dfdx_py.ops.log_softmax import LOG_SOFTMAX

Array = np.ndarray[Any, Any]


def _log_softmax_block(xb: Array, ob: Array) -> None:
    np.subtract(xb, xb.max(axis=1, keepdims=True), out=ob)
    s = fast_row_sums(np.exp(ob))  # e^(x - max) of one block: only its row sums are kept
    np.log(s, out=s)
    ob -= s[:, None]


def log_softmax_forward(x: Array, axes: tuple[int, ...]) -> Array:
    """Stable log-softmax of ``x`` along ``axes``, in a fresh array of ``x``'s dtype."""
    if is_last_axis_rows(x, axes):
        y = np.empty_like(x)
        map_row_blocks(_log_softmax_block, x, y, lambda: row_broadcast_buffer(x.shape[-1]))
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
