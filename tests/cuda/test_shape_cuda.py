"""The Cuda kernels of the shape and indexing ops (reshape, permute, concat, stack, slice,
select/gather, roll, tril/triu) give the Cpu kernels' results exactly, called directly on
storage: every dtype, empty and rank-0 shapes, sizes that take many grid-stride steps, every
``needs`` combination, and the index check finding the same bad index as the Cpu.

Moving elements is exact, so the two devices must agree bit for bit; only gather's backward
adds (with atomics, in any order), and its cases use integer-valued gradients, exact too.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import dfdx_py as dfdx
from dfdx_py.devices.cuda.context import CudaContext
from dfdx_py.devices.cuda.layout import simplified, strided_copy
from dfdx_py.ops.concat import CONCAT
from dfdx_py.ops.permute import PERMUTE
from dfdx_py.ops.reshape import RESHAPE
from dfdx_py.ops.roll import ROLL
from dfdx_py.ops.select_and_gather import GATHER, SELECT
from dfdx_py.ops.slice import SLICE, normalize_index
from dfdx_py.ops.stack import STACK
from dfdx_py.ops.tri import TRIL, TRIU
from tests.checks import make_device

pytestmark = pytest.mark.cuda

DTYPES = [np.float32, np.float64, np.int64, np.bool_, dfdx.f16.numpy, dfdx.bf16.numpy]
FLOATS = (np.float32, np.float64, dfdx.f16.numpy, dfdx.bf16.numpy)
BIG = (3, 5, 67)  # 1005 elements: many grid-stride steps on the emulator's few blocks


@pytest.fixture(scope="module")
def cuda(request: pytest.FixtureRequest) -> Any:
    return make_device("cuda", emulate=request.config.getoption("--cuda-emulator"))


@pytest.fixture(scope="module")
def cpu() -> Any:
    return dfdx.Cpu()


def values(shape: tuple[int, ...], dtype: Any, seed: int = 0) -> np.ndarray[Any, Any]:
    rng = np.random.default_rng(seed)
    if dtype is np.bool_:
        return rng.integers(0, 2, shape).astype(bool)
    if dtype is np.int64:
        return rng.integers(-(2**40), 2**40, shape, dtype=np.int64)
    return rng.standard_normal(shape).astype(dtype)


def up(cuda: Any, array: np.ndarray[Any, Any]) -> Any:
    return cuda._from_numpy(array)


def down(cuda: Any, data: Any) -> np.ndarray[Any, Any]:
    return cuda._to_numpy(data)  # type: ignore[no-any-return]


def same(got: np.ndarray[Any, Any], want: np.ndarray[Any, Any]) -> None:
    want = np.asarray(want)
    assert got.shape == want.shape
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


# -- reshape and permute ----------------------------------------------------------------------


def test_reshape_is_free(cuda: Any) -> None:
    x = up(cuda, np.arange(24.0).reshape(2, 3, 4))
    y = RESHAPE.kernel(cuda).forward(x, (4, 6))
    assert y.ptr == x.ptr and y.shape == (4, 6)
    back = RESHAPE.kernel(cuda).backward(y, (2, 3, 4))
    assert back.ptr == x.ptr and back.shape == (2, 3, 4)
    same(down(cuda, y), np.arange(24.0).reshape(4, 6))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_permute_every_order(cpu: Any, cuda: Any, dtype: Any) -> None:
    a = values((2, 3, 1, 5), dtype)
    x = up(cuda, a)
    for axes in itertools.permutations(range(4)):
        same(down(cuda, PERMUTE.kernel(cuda).forward(x, axes)), np.transpose(a, axes))


def test_permute_of_unit_axes_is_free(cuda: Any) -> None:
    a = np.arange(6.0).reshape(1, 6, 1)
    x = up(cuda, a)
    for axes in [(0, 1, 2), (1, 0, 2), (2, 1, 0), (0, 2, 1)]:
        y = PERMUTE.kernel(cuda).forward(x, axes)
        assert y.ptr == x.ptr
        same(down(cuda, y), np.transpose(a, axes))


def test_permute_big_and_empty(cuda: Any) -> None:
    for shape in [BIG, (0, 3, 2), ()]:
        a = values(shape, np.float64)
        axes = tuple(reversed(range(len(shape))))
        same(down(cuda, PERMUTE.kernel(cuda).forward(up(cuda, a), axes)), np.transpose(a, axes))


# -- concat and stack -------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_concat(cpu: Any, cuda: Any, dtype: Any, axis: int) -> None:
    pieces = []
    for i, size in enumerate([2, 0, 3, 1]):
        shape = [2, 3, 4]
        shape[axis] = size
        pieces.append(values(tuple(shape), dtype, seed=i))
    got = CONCAT.kernel(cuda).forward([up(cuda, p) for p in pieces], axis)
    same(down(cuda, got), np.concatenate(pieces, axis=axis))
    sizes = [p.shape[axis] for p in pieces]
    grad_y = np.concatenate(pieces, axis=axis)
    for needs in itertools.product([True, False], repeat=len(pieces)):
        grads = CONCAT.kernel(cuda).backward(up(cuda, grad_y), sizes, axis, needs)
        want = CONCAT.kernel(cpu).backward(grad_y, sizes, axis, needs)
        for g, w in zip(grads, want, strict=True):
            assert (g is None) == (w is None)
            if w is not None:
                same(down(cuda, g), w)


def test_concat_big(cuda: Any) -> None:
    pieces = [values((3, n, 67), np.float32, seed=n) for n in (5, 4, 6)]
    got = CONCAT.kernel(cuda).forward([up(cuda, p) for p in pieces], 1)
    same(down(cuda, got), np.concatenate(pieces, axis=1))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", [(), (0,), (4,), (2, 3), BIG], ids=str)
def test_stack(cpu: Any, cuda: Any, dtype: Any, shape: tuple[int, ...]) -> None:
    xs = [values(shape, dtype, seed=i) for i in range(3)]
    for axis in range(len(shape) + 1):
        got = STACK.kernel(cuda).forward([up(cuda, a) for a in xs], axis)
        same(down(cuda, got), np.stack(xs, axis=axis))
        grad_y = np.stack(xs, axis=axis)
        for needs in [(True, True, True), (False, True, False), (True, False, True)]:
            grads = STACK.kernel(cuda).backward(up(cuda, grad_y), axis, needs)
            want = STACK.kernel(cpu).backward(grad_y, axis, needs)
            for g, w in zip(grads, want, strict=True):
                assert (g is None) == (w is None)
                if w is not None:
                    same(down(cuda, g), w)


# -- slice ------------------------------------------------------------------------------------

SLICES = [
    (),
    (1,),
    (-1, 2),
    (slice(None), slice(None, None, 2)),
    (Ellipsis, 3),
    (slice(1, None), 0, slice(2, 60, 7)),
    (slice(5, None),),
    (2, 4, 66),
    (slice(None, None, 3), slice(1, 4, 2), slice(None, None, 66)),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("index", SLICES, ids=str)
def test_slice(cpu: Any, cuda: Any, dtype: Any, index: Any) -> None:
    a = values(BIG, dtype)
    normal = normalize_index(index, BIG)
    got = down(cuda, SLICE.kernel(cuda).forward(up(cuda, a), normal))
    same(got, a[index])
    if dtype in FLOATS:
        grad_y = values(a[index].shape, dtype, seed=1)
        back = SLICE.kernel(cuda).backward(up(cuda, grad_y), normal, BIG)
        same(down(cuda, back), SLICE.kernel(cpu).backward(grad_y, normal, BIG))


def test_slice_of_rank0(cuda: Any) -> None:
    a = np.array(3.5)
    got = SLICE.kernel(cuda).forward(up(cuda, a), ())
    same(down(cuda, got), a)


# -- select and gather ------------------------------------------------------------------------

INDEX_CASES = [  # x shape, index shape, axis
    ((5,), (), 0),
    ((5,), (9,), 0),
    ((6, 4), (6,), 1),
    ((6, 4), (6, 11), 1),
    ((4, 3, 2), (4, 3), 2),
    ((4, 3, 2), (4, 7), 1),
    ((7, 67), (3, 5, 4), 0),  # the embedding lookup: any index rank on axis 0
    ((3, 0), (3, 2), 0),
    ((3, 2), (0,), 0),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize(("x_shape", "idx_shape", "axis"), INDEX_CASES, ids=str)
def test_index_axis(
    cpu: Any, cuda: Any, dtype: Any, x_shape: Any, idx_shape: Any, axis: int
) -> None:
    a = values(x_shape, dtype)
    rng = np.random.default_rng(3)
    idx = rng.integers(0, x_shape[axis], idx_shape, dtype=np.int64)  # repeats on purpose
    for op in (SELECT, GATHER):
        got = op.kernel(cuda).forward(up(cuda, a), up(cuda, idx), axis)
        same(down(cuda, got), op.kernel(cpu).forward(a, idx, axis))
    if dtype in FLOATS:
        out_shape = idx_shape + x_shape[axis + 1 :]
        grad_y = rng.integers(-8, 8, out_shape).astype(dtype)  # exact in any order of adds
        back = GATHER.kernel(cuda).backward(up(cuda, grad_y), up(cuda, idx), axis, x_shape)
        same(down(cuda, back), GATHER.kernel(cpu).backward(grad_y, idx, axis, x_shape))


def test_scatter_add_of_one_row_many_times(cpu: Any, cuda: Any) -> None:
    idx = np.zeros(500, dtype=np.int64)
    grad_y = np.ones((500, 3), dtype=np.float32)
    back = GATHER.kernel(cuda).backward(up(cuda, grad_y), up(cuda, idx), 0, (4, 3))
    same(down(cuda, back), np.array([[500.0] * 3] + [[0.0] * 3] * 3, dtype=np.float32))


@pytest.mark.parametrize(
    "idx",
    [
        [0, 1, 2],
        [3],
        [-1],
        [0, 2, 9, -4, 7],
        [1] * 700 + [-3] + [5] * 10,  # past a block's first pass through the entries
        [1] * 300 + [3, -3],
        list(range(-2, 3)) * 100,
        [[0, 1], [2, 3]],
        [],
    ],
    ids=lambda v: str(v)[:20],
)
def test_out_of_range_finds_the_cpus_index(cpu: Any, cuda: Any, idx: list[Any]) -> None:
    array = np.array(idx, dtype=np.int64)
    want = SELECT.kernel(cpu).out_of_range(array, 3)
    assert SELECT.kernel(cuda).out_of_range(up(cuda, array), 3) == want


def test_out_of_range_rank0(cpu: Any, cuda: Any) -> None:
    for v in (-1, 0, 2, 3):
        array = np.array(v, dtype=np.int64)
        got = GATHER.kernel(cuda).out_of_range(up(cuda, array), 3)
        assert got == GATHER.kernel(cpu).out_of_range(array, 3)


# -- roll, tril and triu ----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_roll(cuda: Any, dtype: Any) -> None:
    a = values(BIG, dtype)
    x = up(cuda, a)
    for axis, n in enumerate(BIG):
        for shift in {0, 1, n // 2, n - 1}:
            same(down(cuda, ROLL.kernel(cuda).forward(x, shift, axis)), np.roll(a, shift, axis))


def test_roll_empty_and_unit(cuda: Any) -> None:
    for shape, axis in [((2, 0), 1), ((0, 3), 1), ((1,), 0)]:
        a = values(shape, np.float64)
        same(down(cuda, ROLL.kernel(cuda).forward(up(cuda, a), 0, axis)), a)
    a = values((0, 3), np.float64)
    same(down(cuda, ROLL.kernel(cuda).forward(up(cuda, a), 2, 1)), a)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (2, 0, 4), (1, 1), (2, 7, 67)], ids=str)
def test_tril_triu(cuda: Any, dtype: Any, shape: tuple[int, ...]) -> None:
    a = values(shape, dtype)
    x = up(cuda, a)
    for k in [-(2**70), -68, -3, -1, 0, 1, 2, 66, 2**70]:
        same(down(cuda, TRIL.kernel(cuda).forward(x, k)), np.tril(a, max(-100, min(100, k))))
        same(down(cuda, TRIU.kernel(cuda).forward(x, k)), np.triu(a, max(-100, min(100, k))))


# -- the strided kernels' fast paths (layout.py) ---------------------------------------------


def test_simplified_merges_contiguous_dims_and_drops_ones() -> None:
    assert simplified((2, 3, 4), (12, 4, 1)) == ((24,), (1,))  # contiguous: one run
    assert simplified((2, 1, 3, 4), (12, 99, 4, 1)) == ((24,), (1,))
    assert simplified((2, 3, 4), (4, 8, 1)) == ((2, 3, 4), (4, 8, 1))  # a permute stays
    assert simplified((4, 2, 8, 64), (1024, 64, 128, 1)) == ((4, 2, 8, 64), (1024, 64, 128, 1))
    assert simplified((5, 3), (0, 1)) == ((5, 3), (0, 1))  # a broadcast keeps its 0
    assert simplified((1, 1), (7, 9)) == ((), ())
    assert simplified((3, 4), (-4, -1)) == ((12,), (-1,))  # reversed (DLPack): one run back


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize(
    ("shape", "axes"),
    [
        ((2, 5, 4, 16), (0, 2, 1, 3)),  # heads: rows of 16 move whole (16-byte vectors)
        ((2, 5, 4, 24), (0, 2, 1, 3)),  # rows of 24: whole vectors for 1, 2, 4 and 8 bytes
        ((3, 7, 5), (1, 0, 2)),  # rows of 5: one element at a time
        ((6, 32), (1, 0)),  # a transpose
    ],
)
def test_permutes_with_and_without_vectors(
    cpu: Any, cuda: Any, shape: Any, axes: Any, dtype: Any
) -> None:
    x = values(shape, dtype)
    want = PERMUTE.kernel(cpu).forward(x, axes)
    same(down(cuda, PERMUTE.kernel(cuda).forward(up(cuda, x), axes)), want)


@pytest.mark.parametrize("dtype", [np.float32, dfdx.f16.numpy, np.int64, np.bool_], ids=str)
@pytest.mark.parametrize("start", [0, 1, 8, 16])
def test_slices_forward_and_back_at_any_alignment(
    cpu: Any, cuda: Any, dtype: Any, start: int
) -> None:
    """A slice of rows starting at ``start``: 16-byte vectors where the offset allows
    (gather forward, scatter backward), elements otherwise; the same values either way."""
    a = values((4, 64), dtype)
    index = (slice(None), slice(start, start + 32))
    normal = normalize_index(index, a.shape)
    got = down(cuda, SLICE.kernel(cuda).forward(up(cuda, a), normal))
    same(got, a[index])
    grad_y = values(a[index].shape, dtype, seed=1)
    back = SLICE.kernel(cuda).backward(up(cuda, grad_y), normal, a.shape)
    same(down(cuda, back), SLICE.kernel(cpu).backward(grad_y, normal, a.shape))


def test_copies_beyond_32_bit_offsets_use_wide_indices(cuda: Any) -> None:
    """The strided kernels switch to 64-bit indices when an offset passes 2^31: a view of
    the last elements of a 2^31 + 64 element bool array (2 GiB of device memory)."""
    if not isinstance(cuda.ctx, CudaContext):
        pytest.skip("needs a real GPU (2 GiB of device memory; the emulator runs few threads)")
    n = (1 << 31) + 64
    big = cuda.ctx.empty((n,), np.dtype(np.bool_))
    cuda.ctx.drv.memset_d8(big.ptr, 1, n)
    out = strided_copy(big, (3,), (5,), n - 11)  # elements n-11, n-6, n-1
    np.testing.assert_array_equal(cuda._to_numpy(out), [True, True, True])
