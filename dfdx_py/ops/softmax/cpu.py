"""softmax on the Cpu.

The hot case, softmax along the last axis of a contiguous f32/f64 array, runs over blocks of
rows small enough to stay in cache (``cpu_common.map_row_blocks``, on several threads for a
large array): each block is written once into the output buffer (``x - max``), then ``exp``,
the row sums and the scaling all work in place on that block. Other axes use the same passes
on the whole array.
"""

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
from dfdx_py.ops.softmax import SOFTMAX

Array = np.ndarray[Any, Any]


def _softmax_block(xb: Array, ob: Array) -> None:
    np.subtract(xb, xb.max(axis=1, keepdims=True), out=ob)
    np.exp(ob, out=ob)
    s = row_sums(ob)
    np.reciprocal(s, out=s)
    ob *= s[:, None]


def softmax_forward(x: Array, axes: tuple[int, ...]) -> Array:
    """Stable softmax of ``x`` along ``axes``, in a fresh array of ``x``'s dtype."""
    if is_last_axis_rows(x, axes):
        y = np.empty_like(x)
        map_row_blocks(_softmax_block, x, y)
        return y
    if x.size == 0:
        return np.empty_like(x)
    w = work_array(x)
    out: Array = np.subtract(w, w.max(axis=axes, keepdims=True), out=np.empty_like(w))
    np.exp(out, out=out)
    out /= keep_sum(out, axes)
    return out.astype(x.dtype, copy=False)


def softmax_backward(y: Array, grad_y: Array, axes: tuple[int, ...]) -> Array:
    """``y * (grad_y - Σ grad_y * y)`` along ``axes``."""
    w = work_array(y)
    g = grad_y.astype(w.dtype, copy=False)
    t: Array = np.multiply(g, w, out=np.empty_like(w))
    s = keep_sum(t, axes)
    np.subtract(g, s, out=t)
    t *= w
    return t.astype(y.dtype, copy=False)


@SOFTMAX.register("cpu")
class SoftmaxCpu:
    def forward(self, x: Array, axes: tuple[int, ...]) -> Array:
        if x.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return in_f32(self.forward, x, axes)
        return softmax_forward(x, axes)

    def backward_with_input(
        self, x: Array, y: Array, grad_y: Array, axes: tuple[int, ...]
    ) -> Array:
        if x.itemsize == 2:  # f16/bf16: from the f32 output, not the rounded y
            y32 = softmax_forward(x.astype(np.float32), axes)
            return self.backward(y32, grad_y.astype(np.float32), axes).astype(x.dtype)
        return self.backward(y, grad_y, axes)

    def backward(self, y: Array, grad_y: Array, axes: tuple[int, ...]) -> Array:
        if y.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return in_f32(self.backward, y, grad_y, axes)
        return softmax_backward(y, grad_y, axes)
