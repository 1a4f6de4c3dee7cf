"""Helpers shared by the Cuda kernels that work row by row: softmax, log_softmax, logsumexp,
var, std, normalize, and the backward pass of max and min.

An op over some axes moves them last (``layout.move_last``: no copy when they already are),
so that every reduction combines one contiguous row of a ``(rows, n)`` array, and moves the
axes back afterwards when it keeps the shape. The fused kernels run one block per row (a
grid stride over the rows), each thread keeping up to ``ROW_CACHE`` elements of its row in
registers, so a row of up to ``ROW_CACHE * MAX_THREADS`` elements is read from memory once.
"""

from __future__ import annotations

import math
from typing import Any

from dfdx_py.devices.cuda.context import suffix
from dfdx_py.devices.cuda.layout import move_last, permute
from dfdx_py.devices.cuda.storage import CudaArray

ROW_CACHE = 8
"""Elements of its row each thread keeps in registers (``CACHE`` in the ``.cu`` files)."""

MAX_THREADS = 1024
"""The size of the kernels' ``__shared__`` reduction buffers: no launch may use more."""

MAX_GRID = 65535
"""At most this many blocks; the kernels loop over the rows with a grid stride."""


def row_threads(n: int) -> int:
    """Threads per block for rows of ``n`` elements: the power of two (32 to
    ``MAX_THREADS``) that leaves each thread at most ``ROW_CACHE`` of them when it can."""
    threads = 32
    while threads * ROW_CACHE < n and threads < MAX_THREADS:
        threads *= 2
    return threads


def launch_rows(
    x: CudaArray, module: str, name: str, rows: int, n: int, args: tuple[Any, ...]
) -> None:
    """Launch the block-per-row kernel ``name`` of ``<module>.ptx`` over ``rows`` rows of
    ``n`` elements (nothing to do without rows)."""
    if rows:
        grid = min(rows, MAX_GRID)
        x.ctx.launch(module, name, rows, args, block=row_threads(n), grid=grid)


def row_count(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, int]:
    """``(rows, n)``: how many reductions over ``axes`` there are, and how many elements
    each combines."""
    n = math.prod(shape[a] for a in axes)
    rows = math.prod(d for i, d in enumerate(shape) if i not in axes)
    return rows, n


def to_rows(x: CudaArray, axes: tuple[int, ...]) -> CudaArray:
    """``x`` with ``axes`` (sorted) moved last, contiguous: row ``r`` of the result is the
    ``r``-th reduction's elements (a copy only when ``axes`` are not already last)."""
    return move_last(x, axes)


def _order(ndim: int, axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(a for a in range(ndim) if a not in axes) + tuple(axes)


def from_rows(rows: CudaArray, shape: tuple[int, ...], axes: tuple[int, ...]) -> CudaArray:
    """The inverse of ``to_rows``: ``rows`` (laid out with ``axes`` last) as an array of
    ``shape``, the axes back in place (a copy only when they were moved)."""
    order = _order(len(shape), axes)
    if order == tuple(range(len(shape))):
        return rows.reshape(shape)
    moved = rows.reshape(tuple(shape[a] for a in order))
    inverse = [0] * len(order)
    for i, a in enumerate(order):
        inverse[a] = i
    return permute(moved, tuple(inverse))


def keepdims_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with ``axes`` of size 1 (one value per reduction, the axes kept)."""
    return tuple(1 if i in axes else d for i, d in enumerate(shape))


class SoftmaxLikeCuda:
    """A shape-keeping op along some axes whose kernels in ``<module>.cu`` run one block per
    row: ``<module>_fwd_<dtype>(rows, n, x, y)`` and
    ``<module>_bwd_<dtype>(rows, n, y, grad_y, grad_x)`` (softmax, log_softmax)."""

    module: str

    def forward(self, x: CudaArray, axes: tuple[int, ...]) -> CudaArray:
        rows, n = row_count(x.shape, axes)
        x_rows = to_rows(x, axes)
        y: CudaArray = x.ctx.empty(x_rows.shape, x.dtype)
        if x.size:
            name = f"{self.module}_fwd_{suffix(x.dtype)}"
            launch_rows(x, self.module, name, rows, n, (rows, n, x_rows.ptr, y.ptr))
        return from_rows(y, x.shape, axes)

    def backward(self, y: CudaArray, grad_y: CudaArray, axes: tuple[int, ...]) -> CudaArray:
        rows, n = row_count(y.shape, axes)
        y_rows = to_rows(y, axes)
        g_rows = to_rows(grad_y, axes)
        grad_x: CudaArray = y.ctx.empty(y_rows.shape, y.dtype)
        if y.size:
            name = f"{self.module}_bwd_{suffix(y.dtype)}"
            args = (rows, n, y_rows.ptr, g_rows.ptr, grad_x.ptr)
            launch_rows(y, self.module, name, rows, n, args)
        return from_rows(grad_x, y.shape, axes)
