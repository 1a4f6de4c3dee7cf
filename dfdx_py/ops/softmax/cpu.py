"""softmax on the Cpu.

The hot case, softmax along the last axis of a contiguous f32/f64 array, runs over blocks of
rows small enough to stay in cache (``cpu_common.map_row_blocks``, on several threads for a
large array). Most blocks take a fast path of three passes instead of five: ``exp`` of the
input straight into the output block, the row sums, and the scaling by their reciprocals.

The usual form subtracts each row's max first (two more passes: the row maxima, then the
subtraction). Softmax does not change under that shift; it is there only to keep ``exp``
from overflowing, or from underflowing everywhere on a row of very negative values. The fast
path leaves it out, computes, and then checks on the row sums (one value per row) and one
minimum of the whole block that nothing went wrong. A row is kept when

* its sum is at most ``high`` (2**100 for f32, 2**1000 for f64): then no ``exp`` overflowed
  (an overflow or a +inf gives an infinite sum, a NaN a NaN sum) and ``1 / sum`` is a normal
  number;
* and either all its values are at least ``-bound`` (-64 for f32, -512 for f64), so that
  every ``exp`` is a normal number; or it has no -inf (nor NaN) and its sum is at least 1, as
  the shifted sum always is: then an ``exp`` that underflows to a subnormal number or to 0
  stands for a result below the normal range, where the shifted computation loses as much.

A kept row is ``exp(x)`` times ``1 / sum``, accurate to a few ulps. Measured on f32 rows of
1024: at most 7e-7 relative for every spread of values tried, where the shifted passes,
which round ``x - max`` before ``exp`` sees it, give 3e-7 on rows spread over 10 but 1.3e-6
over ±16 and 4e-6 over ±64. Any other row (with a value above about 69 in f32 or 693 in f64,
an inf or a NaN, a -inf, a sum below 1 and a value below ``-bound``) is computed again on
its own by the shifted passes, so its NaNs, infinities and zeros are where they always were.
A block whose first row has a -inf or a NaN (a masked block, most likely) takes the shifted
passes at once rather than computing ``exp`` twice. Other axes use the shifted passes on the
whole array.

The passes themselves run faster with two numpy details: row sums by ``np.einsum``
(``cpu_common.fast_row_sums``) and numpy's ufunc buffer no longer than a row for the
per-row scaling and subtraction (``cpu_common.row_broadcast_buffer``).
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
"""``(bound, high)`` of the fast path, by dtype (module docstring)."""

_NO_ROWS: Array = np.empty(0, dtype=np.intp)


def _shifted_rows(xb: Array, ob: Array) -> None:
    """Softmax of the rows of ``xb`` into ``ob`` with the max of each row subtracted first."""
    np.subtract(xb, xb.max(axis=1, keepdims=True), out=ob)
    np.exp(ob, out=ob)
    s = fast_row_sums(ob)
    np.reciprocal(s, out=s)
    ob *= s[:, None]


def _rows_to_shift(xb: Array, sums: Array) -> Array:
    """The indices of the rows of ``xb`` that fail the fast path's checks (module docstring),
    given their sums of unshifted ``exp``: usually none, seen from three whole reductions."""
    bound, high = _UNSHIFTED_LIMITS[xb.dtype]
    low = xb.min()
    if sums.max() <= high and (low >= -bound or (low > -np.inf and sums.min() >= 1)):
        return _NO_ROWS  # (every comparison with a NaN is False)
    mins = xb.min(axis=1)
    kept = (sums <= high) & ((mins >= -bound) | ((mins > -np.inf) & (sums >= 1)))
    rows: Array = np.flatnonzero(~kept)
    return rows


def _softmax_block(xb: Array, ob: Array) -> None:
    if not xb[0].min() > -np.inf:  # -inf or NaN in the first row: most likely a masked block
        _shifted_rows(xb, ob)
        return
    with np.errstate(over="ignore"):  # an overflow fails the checks: the row is redone
        np.exp(xb, out=ob)
    s = fast_row_sums(ob)
    shift = _rows_to_shift(xb, s)
    if shift.size:
        s[shift] = 1  # their results are replaced below
    np.reciprocal(s, out=s)
    ob *= s[:, None]
    if shift.size:
        rows = xb[shift]  # a copy: the failing rows, computed again with the shift
        _shifted_rows(rows, rows)
        ob[shift] = rows


def softmax_forward(x: Array, axes: tuple[int, ...]) -> Array:
    """Stable softmax of ``x`` along ``axes``, in a fresh array of ``x``'s dtype."""
    if is_last_axis_rows(x, axes) and x.shape[-1] > 1:  # (rows of one: exactly 1)
        y = np.empty_like(x)
        map_row_blocks(_softmax_block, x, y, lambda: row_broadcast_buffer(x.shape[-1]))
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
