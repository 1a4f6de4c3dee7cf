"""The Cpu softmax kernel's two paths along the last axis: the fast one (``exp`` without the
row max subtracted, checked afterwards) and the shifted one, which redoes the rows that fail
the checks; log_softmax's row kernel; and the cpu_common helpers they use. Results are
compared with a NumPy reference in extended precision; a spy on ``_shifted_rows`` shows
which rows took which path."""

import importlib
import warnings
from typing import Any

import numpy as np
import pytest

import dfdx_py as dfdx

cpu_common = importlib.import_module("dfdx_py.ops.cpu_common")
softmax_cpu = importlib.import_module("dfdx_py.ops.softmax.cpu")
log_softmax_cpu = importlib.import_module("dfdx_py.ops.log_softmax.cpu")
SHIFTED_ROWS = softmax_cpu._shifted_rows

Array = np.ndarray[Any, Any]
INF = float("inf")
NAN = float("nan")


def reference(x: Array) -> Array:
    """Softmax of the rows with the usual shift, in long double (f64 where that is all)."""
    w = x.astype(np.longdouble)
    with np.errstate(invalid="ignore"):  # inf - inf in the rows with infinities
        e = np.exp(w - w.max(axis=-1, keepdims=True))
        out: Array = (e / e.sum(axis=-1, keepdims=True)).astype(np.float64)
    return out


def log_reference(x: Array) -> Array:
    w = x.astype(np.longdouble)
    m = w.max(axis=-1, keepdims=True)
    out: Array = ((w - m) - np.log(np.exp(w - m).sum(axis=-1, keepdims=True))).astype(np.float64)
    return out


def assert_close_f32(got: Array, want: Array) -> None:
    """A few f32 ulps (2**-24 ~ 6e-8 relative), and the subnormal spacing (1.4e-45) near 0."""
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=1e-6, atol=1e-44)


@pytest.fixture
def shifted(monkeypatch: pytest.MonkeyPatch) -> list[Array]:
    """The blocks of rows (copies) that go through the shifted passes."""
    seen: list[Array] = []

    def spy(xb: Array, ob: Array) -> None:
        seen.append(xb.copy())
        SHIFTED_ROWS(xb, ob)

    monkeypatch.setattr(softmax_cpu, "_shifted_rows", spy)
    return seen


def all_rows(seen: list[Array]) -> Array:
    return np.concatenate(seen) if seen else np.empty((0,))


@pytest.mark.parametrize(
    ("scale", "offset"),
    [(1.0, 0.0), (4.0, 0.0), (10.0, 30.0), (5.0, -45.0)],
    ids=["normal", "wide", "high", "negative"],
)
def test_fast_path_in_range(shifted, scale, offset):
    # values within ±64: every row is kept, including rows whose sum is below 1 ("negative")
    x = np.random.default_rng(0).standard_normal((300, 1024)) * scale + offset
    x = x.clip(-63, 63).astype(np.float32)
    got = softmax_cpu.softmax_forward(x, (1,))
    assert got.dtype == np.float32
    assert shifted == []
    assert_close_f32(got, reference(x))
    np.testing.assert_allclose(got.sum(axis=1, dtype=np.float64), 1.0, rtol=2e-6)


def test_fast_path_f64(shifted):
    x = np.random.default_rng(1).standard_normal((50, 700)) * 100  # within about ±450
    got = softmax_cpu.softmax_forward(x, (1,))
    assert got.dtype == np.float64
    assert shifted == []
    np.testing.assert_allclose(got, reference(x), rtol=1e-13, atol=1e-300)


def test_rows_beyond_the_bound_are_shifted(shifted):
    x = np.random.default_rng(2).standard_normal((6, 40)).astype(np.float32)
    x[1, 3] = 1000.0  # exp overflows
    x[3] = -1000.0  # a constant row far below: every exp underflows to 0
    x[4, :5] = 75.0  # each exp(75) is finite, their sum above 2**100
    got = softmax_cpu.softmax_forward(x, (1,))
    np.testing.assert_array_equal(all_rows(shifted), x[[1, 3, 4]])
    assert np.isfinite(got).all()
    assert_close_f32(got[[0, 2, 5]], reference(x[[0, 2, 5]]))
    # the shifted passes round x - 75 to ulp(75) = 7.6e-6: an error of up to 3.8e-6 relative
    np.testing.assert_allclose(got[[1, 3, 4]], reference(x[[1, 3, 4]]), rtol=5e-6, atol=1e-44)
    assert got[1, 3] == 1.0
    assert (got[3] == np.float32(1 / 40)).all()
    np.testing.assert_allclose(got[4, :5], 0.2, rtol=1e-6)


def test_huge_values_give_finite_exact_results():
    x = np.array(
        [[1000.0, 999.0, 0.0], [-1000.0, -1001.0, -1000.0], [88.0, 89.0, 89.0], [3e38, 0, 1]],
        dtype=np.float32,
    )
    with warnings.catch_warnings(), np.errstate(over="raise"):
        warnings.simplefilter("error")  # the unshifted exp's overflows stay silent
        got = softmax_cpu.softmax_forward(x, (1,))
    assert np.isfinite(got).all()
    assert_close_f32(got, reference(x))
    np.testing.assert_allclose(got[0], [0.7310586, 0.26894143, 0.0], rtol=1e-6)
    np.testing.assert_allclose(got[1], [0.4223188, 0.1553624, 0.4223188], rtol=1e-6)
    np.testing.assert_allclose(got[2], [0.1553624, 0.4223188, 0.4223188], rtol=1e-6)
    assert got[3].tolist() == [1.0, 0.0, 0.0]


def test_very_negative_values_in_a_row_whose_sum_is_at_least_1(shifted):
    # values far below -64 underflow (to subnormals or 0) without the shift, as they do with
    # it: the row is kept, and the tiny results are right to the subnormal spacing
    x = np.zeros((4, 64), dtype=np.float32)
    x[:, :32] = np.linspace(-120, -60, 32, dtype=np.float32)
    x[2, 40] = -1e30  # a masked entry, finite
    got = softmax_cpu.softmax_forward(x, (1,))
    assert shifted == []
    assert_close_f32(got, reference(x))
    assert got[2, 40] == 0.0
    assert 0 < got[0, 16] < 1.2e-38  # exp(-89) / 33: a subnormal result, as it should be


def test_rows_below_the_bound_whose_sum_is_below_1_are_shifted(shifted):
    x = np.full((3, 16), -70.0, dtype=np.float32)  # sum 16 e^-70 < 1, and -70 < -64
    x[0] = np.linspace(-50, -40, 16)  # sum < 1, but every value within the bound: kept
    got = softmax_cpu.softmax_forward(x, (1,))
    np.testing.assert_array_equal(all_rows(shifted), x[1:])
    assert_close_f32(got, reference(x))
    assert (got[1:] == np.float32(1 / 16)).all()


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # inf - inf, -inf + inf
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_infinities_and_nans_take_the_shifted_path(shifted, dtype):
    x = np.array(
        [
            [0.0, 1.0, 2.0, 3.0],  # a finite first row: the block is not shifted whole
            [0.0, -INF, 1.0, 2.0],
            [-INF, -INF, -INF, -INF],
            [INF, 0.0, 1.0, 2.0],
            [NAN, 0.0, 1.0, 2.0],
            [1.0, 2.0, 3.0, 4.0],
        ],
        dtype=dtype,
    )
    got = softmax_cpu.softmax_forward(x, (1,))
    np.testing.assert_array_equal(all_rows(shifted), x[1:5])  # NaNs compare equal here
    # exactly what the shifted passes give for those rows on their own
    alone = x[1:5].copy()
    SHIFTED_ROWS(alone, alone)
    np.testing.assert_array_equal(got[1:5], alone)
    assert got[1, 1] == 0.0
    assert np.isnan(got[2:5]).all()
    want = reference(x)
    rtol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(got[[0, 1, 5]], want[[0, 1, 5]], rtol=rtol, atol=0)


def test_a_block_whose_first_row_has_minus_inf_is_shifted_whole(shifted):
    x = np.random.default_rng(3).standard_normal((8, 32)).astype(np.float32)
    x[0, 5:] = -INF  # a masked first row: the block goes the shifted way at once
    x[3, 7] = -INF
    got = softmax_cpu.softmax_forward(x, (1,))
    assert len(shifted) == 1
    np.testing.assert_array_equal(shifted[0], x)
    assert_close_f32(got, reference(x))
    assert (got[0, 5:] == 0).all()
    assert got[3, 7] == 0.0


@pytest.mark.parametrize("cores", [1, 3])
def test_threaded_blocks_mix_both_paths(shifted, monkeypatch, cores):
    monkeypatch.setattr(cpu_common, "PARALLEL_MIN_ELEMENTS", 0)
    monkeypatch.setattr(cpu_common, "_cores", lambda: cores)
    monkeypatch.setattr(cpu_common, "_BLOCK_BYTES", 5 * 1024 * 4)  # five rows of 1024 f32
    x = np.random.default_rng(4).standard_normal((2, 23, 1024)).astype(np.float32) * 3
    x[0, 7, 100] = 500.0
    x[1, 11, 9] = -INF  # rows 34 and 43 of 46, neither the first of its block
    x[1, 20, 0] = NAN
    got = softmax_cpu.softmax_forward(x, (2,))
    assert got.shape == x.shape
    rows = all_rows(shifted)  # in any order: the blocks ran on several threads
    assert len(rows) == 3
    for i in (7, 34, 43):
        assert any(np.array_equal(r, x.reshape(46, 1024)[i], equal_nan=True) for r in rows)
    want = reference(x)
    assert np.isnan(got[1, 20]).all()
    finite = ~np.isnan(want)
    assert_close_f32(got[finite], want[finite])
    assert got[0, 7, 100] == 1.0
    assert got[1, 11, 9] == 0.0
    # numpy's buffer size, set per thread around the blocks, is back to its default there
    assert np.getbufsize() == 8192
    pool = cpu_common._thread_pool()
    if pool is not None:
        assert {pool[0].submit(np.getbufsize).result() for _ in range(8)} == {8192}


def test_through_the_tensor_api():
    dev = dfdx.Cpu(seed=0)
    x = np.random.default_rng(5).standard_normal((2, 3, 600)) * 5
    x[1, 2, :10] = 2000.0
    got = dev.tensor(x, dtype=dfdx.f32).softmax().numpy()
    assert_close_f32(got, reference(x.astype(np.float32)))
    got64 = dev.tensor(x, dtype=dfdx.f64).softmax(-1).numpy()
    np.testing.assert_allclose(got64, reference(x), rtol=1e-13)


# -- log_softmax ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_softmax_rows(dtype):
    x = (np.random.default_rng(6).standard_normal((70, 1000)) * 6).astype(dtype)
    x[3] += 1000.0
    got = log_softmax_cpu.log_softmax_forward(x, (1,))
    assert got.dtype == dtype
    # f32: the results near 0 keep about 2**-24 in absolute terms (log of a sum near 1)
    tol = (1e-6, 1e-6) if dtype == np.float32 else (1e-13, 1e-14)
    np.testing.assert_allclose(got, log_reference(x), rtol=tol[0], atol=tol[1])


def test_log_softmax_results_near_0_of_large_values():
    # the dominant value's result, -log(1 + e^-10) = -4.54e-5, is good to about 2**-24 in
    # absolute terms with the shift; from 50 - log(e^50 + e^40) it would be to ulp(50) = 4e-6
    x = np.array([[50.0, 40.0], [1000.0, 0.0], [-3.0, -3.0]], dtype=np.float32)
    got = log_softmax_cpu.log_softmax_forward(x, (1,))
    want = log_reference(x)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=2e-7)
    np.testing.assert_allclose(got[0, 0], -4.5398899e-05, rtol=5e-3)
    assert got[1].tolist() == [0.0, -1000.0]
    np.testing.assert_allclose(got[2], -np.log(2), rtol=1e-7)


# -- cpu_common helpers ----------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 7, 100, 1024, 8192, 8193, 20000])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_row_sums(n, dtype):
    block = np.exp(np.random.default_rng(n).standard_normal((5, n))).astype(dtype)
    got = cpu_common.fast_row_sums(block)
    assert got.dtype == dtype
    assert got.shape == (5,)
    want = block.astype(np.longdouble).sum(axis=1).astype(np.float64)
    np.testing.assert_allclose(got, want, rtol=1e-6 if dtype == np.float32 else 1e-14)
    if n > cpu_common.EINSUM_SUM_MAX:  # the pairwise sum
        np.testing.assert_array_equal(got, cpu_common.row_sums(block))


@pytest.mark.parametrize(
    ("n", "inside"),
    [(100, 8192), (511, 8192), (512, 512), (1000, 992), (8191, 8176), (9000, 8192)],
)
def test_row_broadcast_buffer(n, inside):
    assert np.getbufsize() == 8192
    block = np.random.default_rng(7).standard_normal((3, n))
    col = np.array([1.0, -2.0, 0.5])
    want = np.stack([block[0], block[1] * -2.0, block[2] * 0.5])
    with cpu_common.row_broadcast_buffer(n):
        assert np.getbufsize() == inside
        np.testing.assert_array_equal(block * col[:, None], want)
    assert np.getbufsize() == 8192
    with pytest.raises(KeyError), cpu_common.row_broadcast_buffer(n):
        raise KeyError  # restored on the way out of an exception too
    assert np.getbufsize() == 8192


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rows_of_one_element_are_exactly_one(dtype: Any) -> None:
    """A row of one is certain: 1 exactly (the shifted passes), as in PyTorch."""
    x = np.array([[3.7], [-80.0], [50.0], [0.1]], dtype)
    np.testing.assert_array_equal(softmax_cpu.softmax_forward(x, (1,)), np.ones((4, 1), dtype))
