"""Helpers shared by Cpu kernels: float working copies, reduction sizes, and running a
function over cache-sized blocks of rows on a small thread pool.

NumPy's ufuncs release the GIL, so a large array (``PARALLEL_MIN_ELEMENTS`` and more) is
split into one contiguous chunk of rows per core and run on a shared thread pool: the only way
past numpy's one core, which PyTorch's kernels use all of. Row sums use ``np.add.reduce``, not
a BLAS product with ones: a multi-threaded BLAS called once per small block (or from every
worker at once) pays its thread start-up each time, which measured 1.3-1.6x slower on a
machine with several cores (and only ~10% faster on one core).
"""

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from dfdx_py.ops.sum.cpu import sum_axes

Array = np.ndarray[Any, Any]
BlockFn = Callable[[Array, Array], None]
"""``fn(x_block, out_block)`` fills ``out_block`` from the rows of ``x_block`` (both 2-D)."""

_FAST = (np.dtype(np.float32), np.dtype(np.float64))
_BLOCK_BYTES = 1 << 20
"""Rows are processed about this many bytes at a time: small enough to stay in L2 between
passes, large enough that the Python overhead of each numpy call (and, on several threads,
each handover of the GIL) stays small (measured: 128 KiB blocks were 1.5-3x slower)."""

PARALLEL_MIN_ELEMENTS = 1 << 19
"""Arrays at least this large run their row blocks on several threads (if there are cores),
one chunk of at least ``_BLOCK_BYTES`` per thread."""

_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_lock = threading.Lock()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _thread_pool() -> tuple[ThreadPoolExecutor, int] | None:
    """The shared pool and its size, created on first use (again in a forked child)."""
    global _pool, _pool_pid
    cores = _cores()
    if cores < 2:
        return None
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(cores, thread_name_prefix="dfdx-cpu")
            _pool_pid = os.getpid()
        return _pool, cores


def work_array(x: Array) -> Array:
    """``x`` itself for f32/f64; f16 and bf16 are computed in f32 (and cast back after)."""
    return x if x.dtype in _FAST else x.astype(np.float32)


def is_last_axis_rows(x: Array, axes: tuple[int, ...]) -> bool:
    """Whether ``axes`` is the last axis of a non-empty contiguous f32/f64 array."""
    return (
        x.ndim > 0
        and axes == (x.ndim - 1,)
        and x.size > 0
        and x.dtype in _FAST
        and x.flags.c_contiguous
    )


def row_blocks(rows: int, n: int, itemsize: int) -> Iterator[slice]:
    """Slices of about ``_BLOCK_BYTES`` of whole rows of length ``n``."""
    step = max(1, _BLOCK_BYTES // max(1, n * itemsize))
    for start in range(0, rows, step):
        yield slice(start, start + step)


def row_sums(block: Array) -> Array:
    """The sums of the rows of a 2-D block (numpy's SIMD pairwise sum, no BLAS)."""
    sums: Array = np.add.reduce(block, axis=1)
    return sums


def map_row_blocks(fn: BlockFn, x: Array, out: Array) -> None:
    """Run ``fn`` over cache-sized blocks of the rows (last axis) of ``x`` and ``out``, on
    several threads when ``x`` is large; ``x`` and ``out`` are C-contiguous, same shape."""
    n = x.shape[-1]
    x2 = x.reshape(-1, n)
    out2 = out.reshape(-1, n)
    rows = x2.shape[0]
    pool = _thread_pool() if x.size >= PARALLEL_MIN_ELEMENTS else None
    chunks = 1 if pool is None else min(pool[1], rows, x.nbytes // _BLOCK_BYTES)
    if pool is None or chunks < 2:
        for r in row_blocks(rows, n, x.itemsize):
            fn(x2[r], out2[r])
        return
    executor = pool[0]
    chunk = -(-rows // chunks)

    def run_chunk(start: int) -> None:
        xc = x2[start : start + chunk]
        oc = out2[start : start + chunk]
        for r in row_blocks(xc.shape[0], n, x.itemsize):
            fn(xc[r], oc[r])

    for future in [executor.submit(run_chunk, start) for start in range(0, rows, chunk)]:
        future.result()


def keep_sum(x: Array, axes: tuple[int, ...]) -> Array:
    """``x.sum(axes, keepdims=True)``, through BLAS when the axes are at one end."""
    return np.expand_dims(sum_axes(x, axes), axes)


def reduced_size(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    """The number of elements each reduction over ``axes`` combines (a Python int)."""
    n = 1
    for a in axes:
        n *= shape[a]
    return n
