"""The Cuda kernels of sub, div, maximum, minimum, the comparisons and choose give the Cpu's
results bit for bit (NaN positions included), called directly on storage.

Each of these kernels does one IEEE operation per element (or none), so the two devices
must agree exactly: on special values (NaN, inf, signed zeros, ties, division by zero), on
non-finite incoming gradients, on every ``needs`` combination, on empty and rank-0 shapes,
and on sizes that take many grid-stride steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import dfdx_py as dfdx
from dfdx_py.ops.choose import CHOOSE
from dfdx_py.ops.cmp import EQ, GE, GT, LE, LT, NE
from dfdx_py.ops.div import DIV, SCALAR_DIV
from dfdx_py.ops.maximum import MAXIMUM, SCALAR_MAXIMUM
from dfdx_py.ops.minimum import MINIMUM, SCALAR_MINIMUM
from dfdx_py.ops.sub import SCALAR_SUB, SUB
from tests.checks import make_device

pytestmark = pytest.mark.cuda

SHAPES = [(), (0,), (7,), (3, 5), (2, 3, 67)]
SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e-30])
NEEDS = [(True, True), (True, False), (False, True), (False, False)]


@pytest.fixture(scope="module")
def cuda(request: pytest.FixtureRequest) -> Any:
    return make_device("cuda", emulate=request.config.getoption("--cuda-emulator"))


@pytest.fixture(scope="module")
def cpu() -> Any:
    return dfdx.Cpu()


def floats(shape: tuple[int, ...], dtype: Any, seed: int) -> np.ndarray[Any, Any]:
    """Normal draws with special values and small integers mixed in (so ties are common)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    x = np.where(rng.random(shape) < 0.2, rng.choice(SPECIAL, shape), x)
    x = np.where(rng.random(shape) < 0.2, rng.integers(-2, 3, shape), x)
    return np.asarray(x, dtype=dtype)


def ints(shape: tuple[int, ...], seed: int) -> np.ndarray[Any, Any]:
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, shape)
    big = rng.choice(np.array([2**62 + 1, 2**62, -(2**63), 2**63 - 1]), shape)
    return np.where(rng.random(shape) < 0.2, big, x).astype(np.int64)


def data(shape: tuple[int, ...], dtype: Any, seed: int) -> np.ndarray[Any, Any]:
    dtype = np.dtype(dtype)
    if dtype == np.int64:
        return ints(shape, seed)
    if dtype == np.bool_:
        return np.asarray(np.random.default_rng(seed).random(shape) < 0.5)
    return floats(shape, dtype, seed)


def same(got: Any, want: Any) -> None:
    """Equal shapes, dtypes and values (NaN where the other has NaN)."""
    want = np.asarray(want)
    assert got.shape == want.shape
    assert got.dtype == want.dtype
    if want.dtype.kind not in "fiub":  # bf16: numpy's testing does not know its NaN
        got, want = got.astype(np.float32), want.astype(np.float32)
    np.testing.assert_array_equal(got, want)


def same_bits(got: Any, want: Any) -> None:
    """Equal bit for bit (choose moves elements without touching them)."""
    same(got, want)
    width = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[want.itemsize]
    np.testing.assert_array_equal(got.view(width), np.asarray(want).view(width))


def up(dev: Any, x: Any) -> Any:
    return dev._from_numpy(np.asarray(x))


def down(dev: Any, x: Any) -> Any:
    return None if x is None else dev._to_numpy(x)


# -- sub, div, maximum, minimum -----------------------------------------------------------

DTYPES = {"f32": np.float32, "f64": np.float64, "i64": np.int64}
BINARY = [
    pytest.param(op, scalar_op, DTYPES[dtype], id=f"{op.name}-{dtype}")
    for op, scalar_op, dtypes in (
        (SUB, SCALAR_SUB, ("f32", "f64", "i64")),
        (DIV, SCALAR_DIV, ("f32", "f64")),  # float only
        (MAXIMUM, SCALAR_MAXIMUM, ("f32", "f64", "i64")),
        (MINIMUM, SCALAR_MINIMUM, ("f32", "f64", "i64")),
    )
    for dtype in dtypes
]


@pytest.mark.parametrize(("op", "scalar_op", "dtype"), BINARY)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_binary_matches_cpu(cuda, cpu, op, scalar_op, dtype, shape):
    a, b = data(shape, dtype, 1), data(shape, dtype, 2)
    b = np.where(np.random.default_rng(3).random(shape) < 0.3, a, b)  # ties
    k_gpu, k_cpu = op.kernel(cuda), op.kernel(cpu)
    y_gpu = k_gpu.forward(up(cuda, a), up(cuda, b))
    y = k_cpu.forward(a, b)
    same(down(cuda, y_gpu), y)
    if dtype is np.int64:
        return
    grad_y = floats(shape, dtype, 4)  # with inf and NaN among the incoming gradients
    for needs in NEEDS:
        args = (up(cuda, a), up(cuda, b), y_gpu, up(cuda, grad_y), needs)
        got = k_gpu.backward(*args)
        want = k_cpu.backward(a, b, y, grad_y, needs)
        for g, w in zip(got, want, strict=True):
            assert (g is None) == (w is None)
            if w is not None:
                same(down(cuda, g), w)


@pytest.mark.parametrize(("op", "scalar_op", "dtype"), BINARY)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_scalar_matches_cpu(cuda, cpu, op, scalar_op, dtype, shape):
    x = data(shape, dtype, 5)
    if dtype is np.int64:
        scalars: list[Any] = [0, -3, 2**62 + 1, 2**63 - 1]
    else:
        scalars = [0.0, -0.0, 1.0, -1.0, 0.1, float("inf"), float("nan")]
    k_gpu, k_cpu = scalar_op.kernel(cuda), scalar_op.kernel(cpu)
    for s in scalars:
        y_gpu = k_gpu.forward(up(cuda, x), s)
        y = k_cpu.forward(x, s)
        same(down(cuda, y_gpu), y)
        if dtype is not np.int64:
            grad_y = floats(shape, dtype, 6)
            got = k_gpu.backward(up(cuda, x), y_gpu, up(cuda, grad_y), s)
            same(down(cuda, got), k_cpu.backward(x, y, grad_y, s))


# -- comparisons ----------------------------------------------------------------------------

CMPS = [
    pytest.param(op, dtype, id=f"{op.name}-{name}")
    for op in (EQ, NE, GT, GE, LT, LE)
    for name, dtype in (*DTYPES.items(), ("bool", np.bool_))
    if dtype is not np.bool_ or op.bools  # bool_ tensors: eq and ne only
]


@pytest.mark.parametrize(("op", "dtype"), CMPS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_cmp_matches_cpu(cuda, cpu, op, dtype, shape):
    a, b = data(shape, dtype, 7), data(shape, dtype, 8)
    b = np.where(np.random.default_rng(9).random(shape) < 0.3, a, b)
    k_gpu, k_cpu = op.kernel(cuda), op.kernel(cpu)
    same(down(cuda, k_gpu.forward(up(cuda, a), up(cuda, b))), k_cpu.forward(a, b))
    scalars: list[Any]
    if dtype is np.bool_:
        scalars = [True, False]
    elif dtype is np.int64:
        # ints exactly (in range or not), floats after converting the tensor to f64 (NumPy)
        scalars = [0, -3, 2**62, 2**62 + 1, 2**63 - 1, -(2**63), 2**63, -(2**63) - 1, 2**70]
        scalars += [1.5, 2.0, -0.5, float(2**62), float("inf"), float("-inf"), float("nan")]
    else:
        scalars = [0.0, -0.0, 0.1, 1, -1, 2**62 + 1, float("inf"), float("nan")]
    for s in scalars:
        want = k_cpu.scalar_forward(a, s)
        same(down(cuda, k_gpu.scalar_forward(up(cuda, a), s)), want)


# -- choose ---------------------------------------------------------------------------------

CHOOSE_DTYPES = [np.float32, np.float64, np.int64, np.bool_, dfdx.f16.numpy, dfdx.bf16.numpy]


@pytest.mark.parametrize("dtype", CHOOSE_DTYPES, ids=["f32", "f64", "i64", "bool", "f16", "bf16"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_choose_matches_cpu(cuda, cpu, dtype, shape):
    """Any dtype: the kernels go by element width, f16 and bf16 included."""
    cond = data(shape, np.bool_, 10)
    a, b = data(shape, dtype, 11), data(shape, dtype, 12)
    k_gpu, k_cpu = CHOOSE.kernel(cuda), CHOOSE.kernel(cpu)
    cond_gpu = up(cuda, cond)
    want = k_cpu.forward(cond, a, b)
    same_bits(down(cuda, k_gpu.forward(cond_gpu, up(cuda, a), up(cuda, b))), want)
    if np.dtype(dtype).kind != "f" and np.dtype(dtype) != dfdx.bf16.numpy:
        return
    grad_y = data(shape, dtype, 13)
    for needs in NEEDS:
        got = k_gpu.backward(cond_gpu, up(cuda, grad_y), needs)
        want = k_cpu.backward(cond, grad_y, needs)
        for g, w in zip(got, want, strict=True):
            assert (g is None) == (w is None)
            if w is not None:
                same_bits(down(cuda, g), w)
