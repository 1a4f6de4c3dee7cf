"""Helpers shared by Cpu kernels: half precision computed in f32, float working copies,
reduction sizes, fast sums, and running a function over cache-sized blocks of rows on a small
thread pool.

Half precision (f16, bf16 and the AMP dtypes stored as them) is computed in f32 and rounded
once to half at the end, as the Cuda kernels load half, compute in float and store half:
numpy would otherwise compute (and, in reductions, accumulate) in the half dtype itself. The
elementwise base classes (``UnaryCpu``, ``BinaryCpu``) do it for every elementwise op; any
other kernel method that computes starts with one line::

    if x.itemsize == 2:  # f16/bf16: computed in f32, rounded once
        return in_f32(self.forward, x, axes)

``in_f32`` upcasts the half arrays among the arguments, calls the method again (now on f32,
so the check fails and the ordinary path runs) and rounds its float results back once. The
Cpu stores no other 2-byte dtype, so ``itemsize == 2`` means half; f32 and f64 calls pay only
that attribute check (about 20 ns). A backward pass that has the input works from the f32
output recomputed from it, not the rounded one (``UnaryCpu``, ``BinaryCpu``, logsumexp,
normalize, softmax and log_softmax): ``1 - y²`` from a rounded ``tanh`` near 1 would keep no
correct bit.

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
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, TypeVar

import numpy as np

Array = np.ndarray[Any, Any]
R = TypeVar("R")
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


def in_f32(method: Callable[..., R], *args: Any) -> R:
    """``method(*args)`` computed in f32 for half-precision arguments: every f16/bf16 array
    (or numpy scalar) among ``args`` is upcast to f32 (exactly), and every float array in the
    result (an array, or a tuple or list of arrays and ``None``) is rounded once to the half
    dtype of the arguments; integer and bool results pass unchanged. A result that is one of
    the upcast arguments itself (a gradient passed through) comes back as the original half
    array, with no rounding and no copy.

    ``method`` is usually the kernel method that calls ``in_f32`` (bound): on the f32
    arguments its half check fails and it runs its ordinary path.
    """
    half: Any = None
    upcast: dict[int, Any] = {}
    work: list[Any] = []
    for a in args:
        if isinstance(a, np.ndarray | np.generic) and a.itemsize == 2:  # numpy scalars too
            half = a.dtype
            w = a.astype(np.float32)
            upcast[id(w)] = a
            work.append(w)
        else:
            work.append(a)
    if half is None:
        return method(*args)
    rounded: R = _round_result(method(*work), half, upcast)
    return rounded


def _round_result(result: Any, half: Any, upcast: dict[int, Any]) -> Any:
    if isinstance(result, np.ndarray):
        original = upcast.get(id(result))
        if original is not None:
            return original
        return result.astype(half) if result.dtype.kind == "f" else result
    if isinstance(result, tuple | list):
        return type(result)(_round_result(r, half, upcast) for r in result)
    if isinstance(result, np.generic) and result.dtype.kind == "f":  # a 0-d ufunc result
        return np.asarray(result, dtype=half)
    return result


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


EINSUM_SUM_MAX = 8192
"""``fast_row_sums`` adds rows up to this long with ``np.einsum``, longer ones with
``row_sums``: einsum's error grows faster with the length (measured on rows of positive f32
values: ~2e-7 relative up to 8192, 8e-7 at 16384, 1.4e-6 at 131072; the pairwise sum stays
near 1e-7)."""


def fast_row_sums(block: Array) -> Array:
    """The sums of the rows of a 2-D f32/f64 block, 2.5x faster than ``row_sums`` on rows of
    1024: ``np.einsum("ij->i")`` keeps SIMD accumulators where numpy's reduction runs a scalar
    pairwise sum (no BLAS either, and it releases the GIL). Rows longer than
    ``EINSUM_SUM_MAX`` go to ``row_sums``, which is more accurate there."""
    if block.shape[1] > EINSUM_SUM_MAX:
        return row_sums(block)
    sums: Array = np.einsum("ij->i", block)
    return sums


_ROW_BUFFER_MIN = 512


@contextmanager
def row_broadcast_buffer(n: int) -> Iterator[None]:
    """Within it, an op between rows of length ``n`` and one value per row (``block *
    col[:, None]``, ``block - block.max(axis=1, keepdims=True)``) runs at the speed of a plain
    elementwise op: measured (numpy 2.x) 1.5-2x faster for ``512 <= n < 8192``.

    A broadcast row op whose rows are shorter than numpy's ufunc buffer (``np.getbufsize()``,
    8192 elements) runs through its buffered iterator at about half speed; with the buffer
    size set to the row length (a multiple of 16, as numpy requires) the inner loop runs
    over each row in place. Rows shorter than 512 are left alone (there the short inner loops
    cost more than the buffering), and so are rows at least as long as the buffer. The buffer
    size is per thread (a context variable since numpy 2) and is restored on exit."""
    size = n - n % 16
    old = np.getbufsize()
    if size < _ROW_BUFFER_MIN or size >= old:
        yield
        return
    np.setbufsize(size)
    try:
        yield
    finally:
        np.setbufsize(old)


def map_row_blocks(
    fn: BlockFn,
    x: Array,
    out: Array,
    context: Callable[[], AbstractContextManager[Any]] | None = None,
) -> None:
    """Run ``fn`` over cache-sized blocks of the rows (last axis) of ``x`` and ``out``, on
    several threads when ``x`` is large; ``x`` and ``out`` are C-contiguous, same shape.

    ``context``, when given, makes the context manager that each thread (or the caller, when
    the blocks run on it) holds around its run of blocks: numpy settings such as
    ``np.errstate`` or ``row_broadcast_buffer``, which are per thread and cost a few
    microseconds to enter, set once rather than around every block."""
    n = x.shape[-1]
    x2 = x.reshape(-1, n)
    out2 = out.reshape(-1, n)
    rows = x2.shape[0]
    enter = context or nullcontext
    pool = _thread_pool() if x.size >= PARALLEL_MIN_ELEMENTS else None
    chunks = 1 if pool is None else min(pool[1], rows, x.nbytes // _BLOCK_BYTES)
    if pool is None or chunks < 2:
        with enter():
            for r in row_blocks(rows, n, x.itemsize):
                fn(x2[r], out2[r])
        return
    executor = pool[0]
    chunk = -(-rows // chunks)

    def run_chunk(start: int) -> None:
        xc = x2[start : start + chunk]
        oc = out2[start : start + chunk]
        with enter():
            for r in row_blocks(xc.shape[0], n, x.itemsize):
                fn(xc[r], oc[r])

    for future in [executor.submit(run_chunk, start) for start in range(0, rows, chunk)]:
        future.result()


def _ones(n: int, dtype: Any) -> Array:
    return np.ones(n, dtype=dtype)


def sum_axes(x: Array, axes: tuple[int, ...]) -> Array:
    """``x.sum(axes)``, through BLAS when the axes are a contiguous block at one end.

    Summing the trailing (or leading) axes of a contiguous f32/f64 array is a matrix-vector
    product with a vector of ones, which BLAS runs several times faster than ``np.sum`` over a
    short inner axis. f16/bf16 are summed in f32 and rounded once.
    """
    if x.itemsize == 2:
        return in_f32(sum_axes, x, axes)
    ndim = x.ndim
    if 0 < len(axes) < ndim and x.size and x.dtype in _FAST and x.flags.c_contiguous:
        kept = ndim - len(axes)
        if axes == tuple(range(kept, ndim)):  # trailing axes: rows · ones
            n = int(np.prod(x.shape[kept:]))
            return (x.reshape(-1, n) @ _ones(n, x.dtype)).reshape(x.shape[:kept])
        if axes == tuple(range(len(axes))):  # leading axes: ones · columns
            m = int(np.prod(x.shape[: len(axes)]))
            return (_ones(m, x.dtype) @ x.reshape(m, -1)).reshape(x.shape[len(axes) :])
    return np.asarray(x.sum(axis=axes))


def keep_sum(x: Array, axes: tuple[int, ...]) -> Array:
    """``x.sum(axes, keepdims=True)``, through BLAS when the axes are at one end."""
    return np.expand_dims(sum_axes(x, axes), axes)


def reduced_size(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    """The number of elements each reduction over ``axes`` combines (a Python int)."""
    n = 1
    for a in axes:
        n *= shape[a]
    return n
