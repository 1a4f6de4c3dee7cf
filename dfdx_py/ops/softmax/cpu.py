"""softmax on the Cpu.

The hot case, softmax along the last axis of a contiguous f32/f64 array, runs over blocks of
rows small enough to stay in cache (``cpu_common.map_row_blocks``, on several threads for a
large array), and on most blocks takes a fast path with three passes instead of five: ``exp``
of the input straight into the output block, the row sums, and the scaling by their
reciprocals. It leaves out the usual subtraction of each row's max (a row max pass and a
subtract pass) because softmax does not depend on it mathematically; the shift only exists
to keep ``exp`` from overflowing (and, with a row of very negative values, from underflowing
to 0 everywhere). So the fast path computes first and checks after, on the row sums alone
(cheap: one value per row):

* every sum at most ``high`` (2**100 for f32, 2**1000 for f64): no ``exp`` overflowed (an
  overflow gives inf, a NaN input gives NaN, and both fail the test), and ``1 / sum`` is a
  normal number;
* and every sum at least 1, or else the row's minimum at least ``-bound`` (-64 for f32, -512
  for f64, so that every ``exp`` is a normal number). A sum of at least 1 is what the shifted
  computation always has: an ``exp`` that underflows to a subnormal number or 0 then stands
  for a result that is itself below the normal range, and loses no more than there.

A row that passes gets ``exp(x) / sum``, with an error of a few ulps: no larger than the
shifted result's, whose ``x - max`` is rounded before ``exp`` (that rounding, relative to
``x - max``, is the larger error for rows whose values spread widely). A row that fails
(values too large or too negative, an inf or a NaN, a row of -inf) is computed again by the
shifted passes, which give exactly what they gave before the fast path existed, NaNs and
infinities included. Other axes use the shifted passes on the whole array.

Two numpy details make the passes themselves faster: the row sums use ``np.einsum``
(``cpu_common.fast_row_sums``) and the row scaling runs with numpy's ufunc buffer no longer
than a row (``cpu_common.row_broadcast_buffer``).
"""

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
from dfdx_py.ops.softmax import SOFTMAX

Array = np.ndarray[Any, Any]


_UNSHIFTED_LIMITS = {
    np.dtype(np.float32): (64.0, 2.0**100),
    np.dtype(np.float64): (512.0, 2.0**1000),
}
"""``(bound, high)`` of the fast path, by dtype (module docstring): a row is kept when its sum
of ``exp(x)`` is at most ``high`` and at least 1, or its minimum is at least ``-bound``."""


def _shifted_rows(xb: Array, ob: Array) -> None:
    """Softmax of the rows of ``xb`` into ``ob`` with the max of each row subtracted first."""
    np.subtract(xb, xb.max(axis=1, keepdims=True), out=ob)
    np.exp(ob, out=ob)
    s = fast_row_sums(ob)
    np.reciprocal(s, out=s)
    ob *= s[:, None]


_NO_ROWS: Array = np.empty(0, dtype=np.intp)


def _rows_to_shift(xb: Array, sums: Array) -> Array:
    """The indices of the rows of ``xb`` whose sums of unshifted ``exp`` fail the fast path's
    checks (module docstring): usually none, found from two reductions of ``sums``."""
    bound, high = _UNSHIFTED_LIMITS[xb.dtype]
    if sums.min() >= 1 and sums.max() <= high:  # False with a NaN
        return _NO_ROWS
    kept = (sums <= high) & ((sums >= 1) | (xb.min(axis=1) >= -bound))  # False for NaN
    rows: Array = np.flatnonzero(~kept)
    return rows


def _softmax_block(xb: Array, ob: Array) -> None:
    with row_broadcast_buffer(xb.shape[1]):
        with np.errstate(over="ignore", under="ignore"):  # an overflow fails the checks
            np.exp(xb, out=ob)
        s = fast_row_sums(ob)
        shift = _rows_to_shift(xb, s)
        s[shift] = 1  # their results are replaced below
        np.reciprocal(s, out=s)
        ob *= s[:, None]
        if shift.size:
            rows = xb[shift]  # a copy: the failing rows, computed again with the shift
            _shifted_rows(rows, rows)
            ob[shift] = rows


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
