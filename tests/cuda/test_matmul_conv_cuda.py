"""The Cuda kernels of matmul, the convolutions, pool2d and upscale2d give the Cpu's results,
called directly on storage, on sizes larger than the op tests draw (many grid-stride steps,
large upscale factors, long windows), on every ``needs`` combination and on empty shapes.

matmul and the convolutions sum products in another order than numpy's BLAS, so they agree
to a tolerance; the pools and nearest upscaling move or compare values and agree exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import dfdx_py as dfdx
from dfdx_py.ops.conv1d import CONV1D
from dfdx_py.ops.conv2d import CONV2D, conv2d_geom
from dfdx_py.ops.conv_transpose2d import CONV_TRANSPOSE2D, conv_transpose2d_geom
from dfdx_py.ops.matmul import MATMUL, matmul_shape
from dfdx_py.ops.pool2d import POOL2D, pool2d_geom
from dfdx_py.ops.upscale2d import UPSCALE2D
from tests.checks import make_device

pytestmark = pytest.mark.cuda

NEEDS = [(True, True), (True, False), (False, True), (False, False)]
TOL = {np.float32: (2e-5, 2e-5), np.float64: (1e-12, 1e-12)}
DTYPES = pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])


@pytest.fixture(scope="module")
def cuda(request: pytest.FixtureRequest) -> Any:
    return make_device("cuda", emulate=request.config.getoption("--cuda-emulator"))


@pytest.fixture(scope="module")
def cpu() -> Any:
    return dfdx.Cpu()


def normal(shape: tuple[int, ...], dtype: Any, seed: int) -> np.ndarray[Any, Any]:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def up(dev: Any, x: Any) -> Any:
    return dev._from_numpy(np.asarray(x))


def down(dev: Any, x: Any) -> Any:
    return None if x is None else dev._to_numpy(x)


def close(got: Any, want: Any, dtype: Any) -> None:
    assert got.shape == want.shape
    assert got.dtype == want.dtype
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def same(got: Any, want: Any) -> None:
    assert got.shape == want.shape
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def check_pair(cuda: Any, got: tuple[Any, Any], want: tuple[Any, Any], dtype: Any) -> None:
    for g, w in zip(got, want, strict=True):
        assert (g is None) == (w is None)
        if w is not None:
            close(down(cuda, g), w, dtype)


# -- matmul ---------------------------------------------------------------------------------

MATMUL_SHAPES = [
    ((37,), (37, 29)),
    ((41, 37), (37,)),
    ((41, 37), (37, 29)),
    ((3, 17, 37), (37, 29)),
    ((3, 17, 37), (3, 37, 29)),
    ((2, 3, 17, 37), (2, 3, 37, 29)),
    ((1, 1), (1, 1)),
    ((4, 0), (0, 5)),  # an empty inner dim: zeros
    ((0, 3), (3, 5)),  # empty outputs
    ((2, 0, 3), (2, 3, 4)),
    ((0, 3, 4), (4, 5)),
]


@DTYPES
@pytest.mark.parametrize(("sa", "sb"), MATMUL_SHAPES, ids=str)
def test_matmul_matches_cpu(cuda, cpu, dtype, sa, sb):
    a, b = normal(sa, dtype, 1), normal(sb, dtype, 2)
    k_gpu, k_cpu = MATMUL.kernel(cuda), MATMUL.kernel(cpu)
    y = k_gpu.forward(up(cuda, a), up(cuda, b))
    assert y.shape == matmul_shape(sa, sb)
    close(down(cuda, y), k_cpu.forward(a, b), dtype)
    grad_y = normal(y.shape, dtype, 3)
    for needs in NEEDS:
        got = k_gpu.backward(up(cuda, a), up(cuda, b), up(cuda, grad_y), needs)
        check_pair(cuda, got, k_cpu.backward(a, b, grad_y, needs), dtype)


# -- convolutions ---------------------------------------------------------------------------

CONV2D_CASES = [  # x shape, weight shape, stride, padding, dilation, groups
    ((2, 6, 19, 23), (8, 3, 3, 5), (2, 1), (1, 2), (1, 2), 2),
    ((3, 4, 16, 16), (5, 4, 3, 3), 1, 1, 1, 1),
    ((9, 9, 8), (6, 3, 2, 2), 3, 0, 1, 3),  # unbatched
    ((1, 2, 8, 7), (4, 1, 4, 3), (1, 3), (3, 0), (2, 1), 2),
    ((0, 2, 5, 5), (3, 2, 3, 3), 1, 0, 1, 1),  # an empty batch
]


@DTYPES
@pytest.mark.parametrize(("xs", "ws", "s", "p", "d", "g"), CONV2D_CASES, ids=str)
def test_conv2d_matches_cpu(cuda, cpu, dtype, xs, ws, s, p, d, g):
    geom = conv2d_geom("conv2d", xs, ws, s, p, d, g)
    x, w = normal(xs, dtype, 4), normal(ws, dtype, 5)
    k_gpu, k_cpu = CONV2D.kernel(cuda), CONV2D.kernel(cpu)
    y = k_cpu.forward(x, w, geom)
    close(down(cuda, k_gpu.forward(up(cuda, x), up(cuda, w), geom)), y, dtype)
    grad_y = normal(y.shape, dtype, 6)
    for needs in NEEDS:
        got = k_gpu.backward(up(cuda, x), up(cuda, w), up(cuda, grad_y), geom, needs)
        check_pair(cuda, got, k_cpu.backward(x, w, grad_y, geom, needs), dtype)


CONV_T_CASES = [  # x shape, weight shape, stride, padding, dilation, groups, output_padding
    ((2, 4, 7, 9), (4, 3, 3, 3), 2, 1, 1, 2, (1, 0)),
    ((3, 5, 6), (3, 2, 4, 2), (3, 1), (0, 1), (1, 2), 1, (2, 1)),  # unbatched
    ((1, 2, 5, 5), (2, 1, 3, 3), 1, 0, 3, 2, 0),
]


@DTYPES
@pytest.mark.parametrize(("xs", "ws", "s", "p", "d", "g", "op"), CONV_T_CASES, ids=str)
def test_conv_transpose2d_matches_cpu(cuda, cpu, dtype, xs, ws, s, p, d, g, op):
    geom = conv_transpose2d_geom(xs, ws, s, p, d, g, op)
    x, w = normal(xs, dtype, 7), normal(ws, dtype, 8)
    k_gpu, k_cpu = CONV_TRANSPOSE2D.kernel(cuda), CONV_TRANSPOSE2D.kernel(cpu)
    y = k_cpu.forward(x, w, geom)
    close(down(cuda, k_gpu.forward(up(cuda, x), up(cuda, w), geom)), y, dtype)
    grad_y = normal(y.shape, dtype, 9)
    for needs in NEEDS:
        got = k_gpu.backward(up(cuda, x), up(cuda, w), up(cuda, grad_y), geom, needs)
        check_pair(cuda, got, k_cpu.backward(x, w, grad_y, geom, needs), dtype)


@DTYPES
def test_conv1d_matches_cpu(cuda, cpu, dtype):
    xs, ws = (3, 4, 50), (6, 2, 5)
    geom = conv2d_geom("conv1d", (3, 4, 1, 50), (6, 2, 1, 5), (1, 2), (0, 3), (1, 2), 2)
    x, w = normal(xs, dtype, 10), normal(ws, dtype, 11)
    k_gpu, k_cpu = CONV1D.kernel(cuda), CONV1D.kernel(cpu)
    y = k_cpu.forward(x, w, geom)
    close(down(cuda, k_gpu.forward(up(cuda, x), up(cuda, w), geom)), y, dtype)
    grad_y = normal(y.shape, dtype, 12)
    for needs in NEEDS:
        got = k_gpu.backward(up(cuda, x), up(cuda, w), up(cuda, grad_y), geom, needs)
        check_pair(cuda, got, k_cpu.backward(x, w, grad_y, geom, needs), dtype)


# -- pool2d ---------------------------------------------------------------------------------

POOL_CASES = [  # x shape, kernel, stride, padding
    ((2, 3, 17, 19), 3, 1, 1),
    ((2, 3, 17, 19), (2, 4), (2, 3), (1, 2)),
    ((5, 12, 12), 5, 2, 2),
    ((1, 1, 6, 6), 6, 1, 0),  # one window over everything
    ((0, 2, 4, 4), 2, 1, 0),  # empty
]


def ties(shape: tuple[int, ...], dtype: Any, seed: int) -> np.ndarray[Any, Any]:
    """Small integers (so windows tie often) with a few infinities and NaNs."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, shape).astype(dtype)
    special = rng.choice(np.array([np.inf, -np.inf, np.nan], dtype=dtype), shape)
    return np.where(rng.random(shape) < 0.03, special, x)


@DTYPES
@pytest.mark.parametrize("kind", ["avg", "max", "min"])
@pytest.mark.parametrize(("xs", "k", "s", "p"), POOL_CASES, ids=str)
def test_pool2d_matches_cpu(cuda, cpu, dtype, kind, xs, k, s, p):
    geom = pool2d_geom(xs, k, s, p)
    k_gpu, k_cpu = POOL2D.kernel(cuda), POOL2D.kernel(cpu)
    for x in (normal(xs, dtype, 13), ties(xs, dtype, 14)):
        y = k_cpu.forward(x, kind, geom)
        y_gpu = k_gpu.forward(up(cuda, x), kind, geom)
        if kind == "avg":
            close(down(cuda, y_gpu), y, dtype)
        else:
            same(down(cuda, y_gpu), y)
        grad_y = normal(y.shape, dtype, 15)
        got = k_gpu.backward(up(cuda, x), y_gpu, up(cuda, grad_y), kind, geom)
        close(down(cuda, got), k_cpu.backward(x, y, grad_y, kind, geom), dtype)


# -- upscale2d ------------------------------------------------------------------------------

UPSCALE_CASES = [  # x shape, size
    ((2, 3, 5, 7), (64, 61)),
    ((2, 24, 24), (64, 65)),
    ((1, 2, 1, 1), (7, 9)),
    ((1, 1, 1, 3), (1, 100)),
    ((3, 4, 6), (4, 6)),  # the same size
    ((1, 2, 3, 5), (17, 5)),
    ((0, 2, 2, 2), (3, 3)),  # empty
]


@DTYPES
@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize(("xs", "size"), UPSCALE_CASES, ids=str)
def test_upscale2d_matches_cpu(cuda, cpu, dtype, mode, xs, size):
    x = normal(xs, dtype, 16)
    k_gpu, k_cpu = UPSCALE2D.kernel(cuda), UPSCALE2D.kernel(cpu)
    y = k_cpu.forward(x, size, mode)
    y_gpu = down(cuda, k_gpu.forward(up(cuda, x), size, mode))
    if mode == "nearest":
        same(y_gpu, y)
    else:
        close(y_gpu, y, dtype)
    grad_y = normal(y.shape, dtype, 17)
    got = k_gpu.backward(up(cuda, x), up(cuda, grad_y), mode)
    close(down(cuda, got), k_cpu.backward(x, grad_y, mode), dtype)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_upscale2d_backward_covers_every_output(cuda, mode):
    """The gather finds every output reading an input: the gradient of ones sums to the
    output's size, on many size pairs (each output's weights sum to one)."""
    k_gpu = UPSCALE2D.kernel(cuda)
    for n_in in (1, 2, 3, 7, 24):
        for n_out in sorted({n_in, n_in + 1, 2 * n_in + 1, 3 * n_in, 64}):
            x = up(cuda, np.zeros((1, n_in, n_in), np.float64))
            ones = up(cuda, np.ones((1, n_out, n_out), np.float64))
            got = down(cuda, k_gpu.backward(x, ones, mode))
            np.testing.assert_allclose(got.sum(), n_out * n_out, rtol=1e-12)
