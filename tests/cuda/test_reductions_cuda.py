"""The Cuda kernels of the reductions and the softmax family (max, min, var, std, logsumexp,
softmax, log_softmax, normalize) and of broadcast_to against the Cpu kernels, called
directly on storage.

The shapes reach what the op tests do not: rows longer than the registers of a block
(``ROW_CACHE * MAX_THREADS`` elements, read again for each pass), more rows than one launch
grid has blocks (a grid stride over the rows), rows of one element, empty reductions, and
axes that are not last (moved last by a copy, and back). Sums are taken in another order than
NumPy's, so values agree within a few ulps of the terms' size; max, min and broadcast_to move
values and must agree exactly. Special values (NaN, ±inf) land where the Cpu puts them.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

import dfdx_py as dfdx
from dfdx_py.devices.cuda.layout import SPLIT_CHUNK, reduce, split_count
from dfdx_py.ops.broadcast_to import BROADCAST_TO
from dfdx_py.ops.cuda_rows import MAX_GRID, MAX_THREADS, ROW_CACHE, row_threads
from dfdx_py.ops.log_softmax import LOG_SOFTMAX
from dfdx_py.ops.logsumexp import LOGSUMEXP
from dfdx_py.ops.max import MAX
from dfdx_py.ops.min import MIN
from dfdx_py.ops.normalize import NORMALIZE
from dfdx_py.ops.softmax import SOFTMAX
from dfdx_py.ops.std import STD
from dfdx_py.ops.var import VAR
from tests.checks import make_device

pytestmark = pytest.mark.cuda

LONG = ROW_CACHE * MAX_THREADS + 5  # a row too long for the registers of a block
CASES = [  # (shape, axes): sorted non-negative axes, as the kernels get them
    ((1,), (0,)),
    ((5, 1), (1,)),
    ((3, 8), (1,)),
    ((3, 9), (1,)),
    ((2, 300), (1,)),
    ((2, LONG), (1,)),
    ((MAX_GRID + 7, 2), (1,)),
    ((4, 5, 6), (0,)),
    ((4, 5, 6), (1,)),
    ((4, 5, 6), (0, 2)),
    ((4, 5, 6), (1, 2)),
    ((4, 5, 6), (0, 1, 2)),
    ((3, 4), ()),
]
EMPTY = [((0, 5), (1,)), ((3, 0), (1,)), ((0, 4), (0,)), ((2, 0, 3), (1,))]
FLOATS = [np.float32, np.float64]
RTOL = {np.dtype(np.float32): 2e-5, np.dtype(np.float64): 1e-12}


@pytest.fixture(scope="module")
def cuda(request: pytest.FixtureRequest) -> Any:
    return make_device("cuda", emulate=request.config.getoption("--cuda-emulator"))


@pytest.fixture(scope="module")
def cpu() -> Any:
    return dfdx.Cpu()


@contextmanager
def quiet() -> Iterator[None]:
    """NumPy's warnings for NaN and infinities are expected here."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def normal(shape: tuple[int, ...], dtype: Any, seed: int, scale: float = 3.0) -> Any:
    return (scale * np.random.default_rng(seed).standard_normal(shape)).astype(dtype)


def up(dev: Any, x: Any) -> Any:
    return dev._from_numpy(np.asarray(x))


def down(dev: Any, x: Any) -> Any:
    return dev._to_numpy(x)


def close(got: Any, want: Any) -> None:
    """Equal shapes and dtypes, NaN and infinities in the same places, finite values within
    a few ulps of the largest finite value (sums in another order)."""
    want = np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    inf = np.isinf(want)
    np.testing.assert_array_equal(got[inf], want[inf])
    finite = np.isfinite(want)
    if finite.any():
        scale = float(np.max(np.abs(want[finite].astype(np.float64))))
        err = np.abs(got[finite].astype(np.float64) - want[finite].astype(np.float64))
        assert float(err.max()) <= RTOL[want.dtype] * max(scale, 1e-300), err.max()


def test_row_threads_fit_the_kernels() -> None:
    assert row_threads(0) == row_threads(1) == 32
    assert row_threads(4096) * ROW_CACHE == 4096
    assert row_threads(10**9) == MAX_THREADS
    assert all(row_threads(n) & (row_threads(n) - 1) == 0 for n in range(1, 20000, 37))


# -- reductions ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(("shape", "axes"), CASES + EMPTY)
def test_var_std_logsumexp(cuda, cpu, shape, axes, dtype):
    x = normal(shape, dtype, seed=len(shape) + sum(shape))
    n = int(np.prod([shape[a] for a in axes]))
    rows = int(np.prod([d for i, d in enumerate(shape) if i not in axes]))
    g = normal((rows,), dtype, seed=1).reshape([d for i, d in enumerate(shape) if i not in axes])
    for op, params in [(VAR, ()), (STD, (0.0,)), (STD, (0.5,)), (LOGSUMEXP, ())]:
        k_gpu, k_cpu = op.kernel(cuda), op.kernel(cpu)
        with quiet():
            want = k_cpu.forward(x, axes, *params)
        got = k_gpu.forward(up(cuda, x), axes, *params)
        close(down(cuda, got), want)
        if n and rows:
            want_grad = k_cpu.backward(x, want, g, axes)
            grad = k_gpu.backward(up(cuda, x), got, up(cuda, g), axes)
            close(down(cuda, grad), want_grad)


@pytest.mark.parametrize("dtype", [*FLOATS, np.int64])
@pytest.mark.parametrize(("shape", "axes"), CASES)
def test_max_min_with_ties(cuda, cpu, shape, axes, dtype):
    x = np.round(normal(shape, np.float64, seed=sum(shape))).astype(dtype)  # many ties
    kept = [d for i, d in enumerate(shape) if i not in axes]
    g = np.arange(1, int(np.prod(kept)) + 1, dtype=dtype).reshape(kept)
    for op in (MAX, MIN):
        k_gpu, k_cpu = op.kernel(cuda), op.kernel(cpu)
        want = k_cpu.forward(x, axes)
        got = k_gpu.forward(up(cuda, x), axes)
        np.testing.assert_array_equal(down(cuda, got), want)
        grad = down(cuda, k_gpu.backward(up(cuda, x), got, up(cuda, g), axes))
        np.testing.assert_array_equal(grad, k_cpu.backward(x, want, g, axes))
        assert grad.dtype == x.dtype


@pytest.mark.parametrize("dtype", FLOATS)
def test_specials_land_where_the_cpu_puts_them(cuda, cpu, dtype):
    inf, nan = np.inf, np.nan
    x = np.array(
        [[0.0, inf, 1.0], [-inf, -inf, -inf], [1.0, -inf, 2.0], [nan, 0.0, 1.0], [3.0, 3.0, 3.0]],
        dtype=dtype,
    )
    with quiet():
        for op, params in [(VAR, ()), (STD, (0.0,)), (LOGSUMEXP, ()), (MAX, ()), (MIN, ())]:
            want = op.kernel(cpu).forward(x, (1,), *params)
            close(down(cuda, op.kernel(cuda).forward(up(cuda, x), (1,), *params)), want)
        for op in (SOFTMAX, LOG_SOFTMAX):
            want = op.kernel(cpu).forward(x, (1,))
            close(down(cuda, op.kernel(cuda).forward(up(cuda, x), (1,))), want)


def test_std_gradient_is_zero_where_std_is_zero(cuda):
    x = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]])
    k = STD.kernel(cuda)
    y = k.forward(up(cuda, x), (1,), 0.0)
    grad = down(cuda, k.backward(up(cuda, x), y, up(cuda, np.array([5.0, 1.0])), (1,)))
    np.testing.assert_allclose(grad, [[0.0, 0.0, 0.0], [-(1.5**0.5) / 3, 0.0, 1.5**0.5 / 3]])


# -- softmax, log_softmax, normalize ---------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(("shape", "axes"), CASES + EMPTY)
def test_softmax_family(cuda, cpu, shape, axes, dtype):
    x = normal(shape, dtype, seed=sum(shape))
    g = normal(shape, dtype, seed=2)
    for op in (SOFTMAX, LOG_SOFTMAX):
        k_gpu, k_cpu = op.kernel(cuda), op.kernel(cpu)
        want = k_cpu.forward(x, axes)
        got = k_gpu.forward(up(cuda, x), axes)
        close(down(cuda, got), want)
        grad = k_gpu.backward(got, up(cuda, g), axes)
        close(down(cuda, grad), k_cpu.backward(want, g, axes))
    for eps in (1e-5, 0.5):
        k_gpu, k_cpu = NORMALIZE.kernel(cuda), NORMALIZE.kernel(cpu)
        want, want_inv = k_cpu.forward(x, axes, eps)
        got, saved = k_gpu.forward(up(cuda, x), axes, eps)  # (x rows, mean, inv_std)
        close(down(cuda, got), want)
        if x.size:
            close(down(cuda, saved[2]), want_inv)
        grad = k_gpu.backward(got, saved, up(cuda, g), axes)
        close(down(cuda, grad), k_cpu.backward(want, want_inv, g, axes))


# -- broadcast_to ----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [*FLOATS, np.int64, np.bool_, dfdx.f16.numpy, dfdx.bf16.numpy])
@pytest.mark.parametrize(
    ("x_shape", "shape", "axes"),
    [
        ((), (3, 4), (0, 1)),
        ((4,), (3, 4), (0,)),
        ((3,), (3, 4), (1,)),
        ((5,), (2, 5, 3), (0, 2)),
        ((2, 3), (2, 3), ()),
        ((0,), (3, 0), (0,)),
        ((2,), (MAX_GRID + 3, 2), (0,)),
    ],
)
def test_broadcast_to(cuda, cpu, x_shape, shape, axes, dtype):
    x = normal(x_shape, np.float64, seed=3).astype(dtype)
    k_gpu, k_cpu = BROADCAST_TO.kernel(cuda), BROADCAST_TO.kernel(cpu)
    got = down(cuda, k_gpu.forward(up(cuda, x), shape, axes))
    np.testing.assert_array_equal(got, k_cpu.forward(x, shape, axes))
    assert got.dtype == x.dtype
    if dtype is not np.bool_:
        g = (np.arange(int(np.prod(shape))) % 7).reshape(shape).astype(dtype)  # exact sums
        grad = down(cuda, k_gpu.backward(up(cuda, g), axes))
        with quiet():  # f16 sums of the longest case overflow to inf (on both devices)
            want = k_cpu.backward(g, axes)
        np.testing.assert_array_equal(grad, want)


# -- few long rows: split into parts, two launches (reduce.cu) -------------------------------

SPLIT_SHAPES = [(1, 100_003), (3, 40_000), (2, SPLIT_CHUNK + 1), (5, 3 * SPLIT_CHUNK + 8)]


@pytest.mark.parametrize("lanes", [1, 2, 4, 8])
@pytest.mark.parametrize("n", [SPLIT_CHUNK + 1, 40_000, 100_003, 10**8])
@pytest.mark.parametrize("rows", [1, 3, 1000])
def test_split_parts_cover_each_row_once(cuda, rows, n, lanes):
    splits, chunk = split_count(cuda.ctx, rows, n, lanes)
    assert (splits - 1) * chunk < n <= splits * chunk
    if splits > 1:
        assert chunk % lanes == 0 and chunk >= SPLIT_CHUNK // 2
        assert rows * splits <= 8 * cuda.ctx.sm_count
    else:
        assert rows >= 4 * cuda.ctx.sm_count


@pytest.mark.parametrize("dtype", ["f32", "f64", "f16", "bf16", "i64"])
@pytest.mark.parametrize("shape", SPLIT_SHAPES, ids=str)
def test_split_reductions_of_long_rows(cuda, shape, dtype):
    """sum, max and min of a few long rows (split in parts when the GPU would idle) equal
    numpy's: max and min exactly, sums within rounding of the terms' size."""
    np_dtype = np.int64 if dtype == "i64" else getattr(dfdx, dtype).numpy
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal(shape) * 100
    x = np.round(x).astype(np_dtype) if dtype == "i64" else x.astype(np_dtype)
    wide = x.astype(np.float64)
    for op, want in (("max", wide.max(1)), ("min", wide.min(1)), ("sum", wide.sum(1))):
        got = down(cuda, reduce(up(cuda, x), (1,), op)).astype(np.float64)
        if op != "sum" or dtype == "i64":
            np.testing.assert_array_equal(got, want)
        else:
            half_ulp = {"f16": 2.0**-11, "bf16": 2.0**-8}.get(dtype, 0.0)
            bound = 1e-6 * np.abs(wide).sum(1) + half_ulp * np.abs(want)
            assert np.all(np.abs(got - want) <= bound), (got, want)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_split_max_min_propagate_nan_and_inf(cuda, dtype):
    x = np.zeros((2, 50_000), dtype)
    x[0, 45_001] = np.nan  # in a late part of the row
    x[1, 3] = np.inf
    x[1, 49_999] = -np.inf
    with quiet():
        for op in ("max", "min"):
            got = down(cuda, reduce(up(cuda, x), (1,), op))
            want = getattr(np, op)(x, axis=1)
            np.testing.assert_array_equal(got, want)
