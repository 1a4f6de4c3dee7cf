"""Layout helpers for Cuda kernels: strided copies and reductions over any axes.

Cuda storage is always contiguous, so what numpy does with strides (a permuted, broadcast or
sliced view) is one ``strided_copy`` here, and a reduction over any axes is a copy that moves
those axes last followed by one row reduction (``reduce.cu``). Up to 6 dims, as DESIGN's
``Rank6``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from dfdx_py.devices.cuda.context import VECTOR_BYTES, compute_type, suffix, vector_lanes
from dfdx_py.devices.cuda.driver import driver_errors
from dfdx_py.devices.cuda.storage import CudaArray
from dfdx_py.errors import DeviceError

MAX_DIMS = 6


def contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Element strides of a C-contiguous array of ``shape``."""
    strides = []
    step = 1
    for d in reversed(shape):
        strides.append(step)
        step *= d
    return tuple(reversed(strides))


def simplified(
    shape: tuple[int, ...], strides: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The same walk over fewer dims: dims of 1 dropped, and a dim merged into the one
    before it where the source steps over it contiguously (``strides[k] == strides[k + 1] *
    shape[k + 1]``; the destination is contiguous, so there it always is)."""
    dims: list[int] = []
    steps: list[int] = []
    for d, st in zip(shape, strides, strict=True):
        if d == 1:
            continue
        if dims and steps[-1] == st * d:
            dims[-1] *= d
            steps[-1] = st
        else:
            dims.append(d)
            steps.append(st)
    return tuple(dims), tuple(steps)


def _strided(kernel: str, x: CudaArray, out: CudaArray, shape: tuple[int, ...],
             strides: tuple[int, ...], offset: int) -> None:  # fmt: skip
    n = math.prod(shape)
    if not n:
        return
    # strides may come wrapped to size_t (negative ones, from DLPack): work with their values
    signed = tuple(st - (1 << 64) if st >= 1 << 63 else st for st in strides)
    dims, steps = simplified(shape, signed)
    if len(dims) > MAX_DIMS:
        raise DeviceError(f"Cuda: {len(shape)} dims; the Cuda kernels handle up to {MAX_DIMS}")
    name = suffix(x.dtype)
    lanes = vector_lanes(x.dtype)
    whole = all(v % lanes == 0 for v in (dims[-1], offset, *steps[:-1])) if dims else False
    if whole and steps[-1] == 1 and x.ptr % VECTOR_BYTES == out.ptr % VECTOR_BYTES == 0:
        # whole 16-byte vectors: each row of the view starts and ends on one
        name, n, offset = "v16", n // lanes, offset // lanes
        dims = (*dims[:-1], dims[-1] // lanes)
        steps = (*(st // lanes for st in steps[:-1]), 1)
    pad = MAX_DIMS - len(dims)
    wrapped = (st % (1 << 64) for st in steps)  # size_t arithmetic wraps back
    args = (n, *(1,) * pad, *dims, *(0,) * pad, *wrapped, offset, x.ptr, out.ptr)
    x.ctx.launch("strided", f"{kernel}_{name}", n, args)


def strided_copy(
    x: CudaArray, shape: tuple[int, ...], strides: tuple[int, ...], offset: int = 0
) -> CudaArray:
    """A new contiguous array of ``shape`` whose element ``(i0, ...)`` is
    ``x[offset + Σ i_k strides_k]`` (flat element indices into ``x``)."""
    out: CudaArray = x.ctx.empty(tuple(shape), x.dtype)
    _strided("strided_copy", x, out, tuple(shape), tuple(strides), offset)
    return out


def strided_scatter(
    values: CudaArray, out: CudaArray, strides: tuple[int, ...], offset: int = 0
) -> None:
    """Write ``values`` (contiguous, its own shape) into ``out`` at
    ``offset + Σ i_k strides_k``; the targets must not overlap (a basic slice)."""
    _strided("strided_scatter", values, out, values.shape, tuple(strides), offset)


def permute(x: CudaArray, axes: tuple[int, ...]) -> CudaArray:
    """``x`` with its axes reordered (``out.shape[i] == x.shape[axes[i]]``), contiguous."""
    strides = contiguous_strides(x.shape)
    return strided_copy(x, tuple(x.shape[a] for a in axes), tuple(strides[a] for a in axes))


def broadcast(x: CudaArray, shape: tuple[int, ...], new_axes: tuple[int, ...]) -> CudaArray:
    """``x`` repeated along the ``new_axes`` of ``shape`` (a stride of 0 there)."""
    inner = iter(contiguous_strides(x.shape))
    strides = tuple(0 if i in new_axes else next(inner) for i in range(len(shape)))
    return strided_copy(x, shape, strides)


def move_last(x: CudaArray, axes: tuple[int, ...]) -> CudaArray:
    """``x`` with ``axes`` (sorted) moved to the end, contiguous (no copy if they are)."""
    kept = tuple(a for a in range(x.ndim) if a not in axes)
    order = kept + tuple(axes)
    if order == tuple(range(x.ndim)):
        return x
    return permute(x, order)


_GEMM_DTYPES = ("f16", "bf16", "f32", "f64")
"""The dtypes cuBLAS multiplies (f16 and bf16 accumulating in f32)."""
_ONES: dict[tuple[int, np.dtype[Any]], CudaArray] = {}


def ones(ctx: Any, dtype: np.dtype[Any], n: int) -> CudaArray:
    """At least ``n`` ones of ``dtype`` on ``ctx``: one cached vector per dtype, grown when a
    longer one is asked for (a prefix of ones is ones)."""
    key = (id(ctx), dtype)
    vec = _ONES.get(key)
    if vec is None or vec.size < n:
        vec = ctx.empty((max(n, 1024),), dtype)
        args = (vec.size, compute_type(dtype)(1), vec.ptr)
        ctx.launch("fill", f"fill_{suffix(dtype)}", vec.size, args)
        _ONES[key] = vec
    return vec


SPLIT_CHUNK = 8192
"""Rows longer than this many elements are split into parts of at least this length when
there are too few rows to fill the GPU (``reduce.cu``)."""


def split_count(ctx: Any, rows: int, n: int, lanes: int) -> tuple[int, int]:
    """``(splits, chunk)``: into how many parts of ``chunk`` elements (a multiple of
    ``lanes``) each of ``rows`` rows of ``n`` is reduced, so that there are some four blocks
    per multiprocessor; ``(1, n)`` when the rows alone give that many."""
    wanted = 4 * ctx.sm_count
    if rows >= wanted or n <= SPLIT_CHUNK:
        return 1, n
    splits = min(-(-wanted // rows), -(-n // SPLIT_CHUNK))
    chunk = -(-n // splits)
    chunk = -(-chunk // lanes) * lanes
    return -(-n // chunk), chunk


def reduce_rows(x: CudaArray, rows: int, n: int, op: str, out: CudaArray) -> None:
    """``op`` ("sum", "max" or "min") of each row of the contiguous ``(rows, n)`` array ``x``
    into ``out``: one block per row, or parts of a few long rows in blocks of their own
    whose partial results a second launch combines."""
    name = suffix(x.dtype)
    splits, chunk = split_count(x.ctx, rows, n, vector_lanes(x.dtype))
    if splits == 1:
        x.ctx.launch("reduce", f"{op}_rows_{name}", rows, (rows, n, x.ptr, out.ptr),
                     grid=min(rows, 65535))  # fmt: skip
        return
    partials = x.ctx.empty((rows, splits), np.dtype(compute_type(x.dtype)))
    args = (rows, n, splits, chunk, x.ptr, partials.ptr)
    x.ctx.launch("reduce", f"{op}_split_{name}", rows * splits, args,
                 grid=min(rows * splits, 65535))  # fmt: skip
    x.ctx.launch("reduce", f"{op}_partials_{name}", rows, (rows, splits, partials.ptr, out.ptr),
                 grid=min(rows, 65535))  # fmt: skip


def reduce(x: CudaArray, axes: tuple[int, ...], op: str) -> CudaArray:
    """``op`` ("sum", "max" or "min") over ``axes`` (sorted), the axes removed.

    A float sum over leading axes (a bias's gradient: ``(B, S, O) -> (O,)``) is one cuBLAS
    GEMM with a vector of ones, reading ``x`` in place; other reductions move the axes last
    (a strided copy unless they already are) and reduce rows (``reduce.cu``).
    """
    kept_shape = tuple(d for i, d in enumerate(x.shape) if i not in axes)
    n = math.prod(x.shape[a] for a in axes)
    rows = math.prod(kept_shape)
    out: CudaArray = x.ctx.empty(kept_shape, x.dtype)
    if rows and n:
        leading = axes == tuple(range(len(axes))) and len(axes) < x.ndim
        if op == "sum" and leading and suffix(x.dtype) in _GEMM_DTYPES:
            vec = ones(x.ctx, x.dtype, n)  # out (1, rows) = ones (1, n) @ x (n, rows)
            x.ctx.cublas.gemm(suffix(x.dtype), 1, rows, n, vec.ptr, False, x.ptr,
                              False, out.ptr)  # fmt: skip
            return out
        reduce_rows(move_last(x, axes), rows, n, op, out)
    elif rows:  # an empty axis: the sum of nothing is 0 (max and min refuse empty axes)
        with driver_errors("fill with zeros"):
            x.ctx.drv.memset_d8(out.ptr, 0, out.nbytes)
    return out
