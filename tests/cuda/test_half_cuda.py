"""The f16 and bf16 Cuda kernels: each loads half values, computes its f32 formula and rounds
once when it stores, so its result is the f32 kernel's result on the same (widened) inputs,
rounded to half. That is what these tests check, for every kernel with arithmetic, called
directly on storage: within one unit in the last place of half (on a GPU the two kernels may
fuse operations or sum in a different order, which moves the f32 results by a few f32 ulps),
plus, where terms cancel, a few f32 ulps of the terms' size. The f32 kernels themselves are
checked against the Cpu by the other files here; the shared op tests (tests/ops) check the
half results against NumPy and PyTorch through the public API.

Kernels that only move elements (permute, slice, gather, roll, tril, ...) are checked with
half dtypes in test_shape_cuda.py, the conversions in test_unary_cuda.py.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

import dfdx_py as dfdx
from dfdx_py.devices.base import astype_rounded
from dfdx_py.ops.add import ADD, SCALAR_ADD
from dfdx_py.ops.cmp import EQ, GE, GT, LE, LT, NE
from dfdx_py.ops.conv1d import CONV1D
from dfdx_py.ops.conv2d import CONV2D, conv2d_geom
from dfdx_py.ops.conv_transpose2d import CONV_TRANSPOSE2D, conv_transpose2d_geom
from dfdx_py.ops.div import DIV, SCALAR_DIV
from dfdx_py.ops.dropout import DROPOUT
from dfdx_py.ops.linear import LINEAR
from dfdx_py.ops.log_softmax import LOG_SOFTMAX
from dfdx_py.ops.logsumexp import LOGSUMEXP
from dfdx_py.ops.matmul import MATMUL
from dfdx_py.ops.max import MAX
from dfdx_py.ops.maximum import MAXIMUM, SCALAR_MAXIMUM
from dfdx_py.ops.min import MIN
from dfdx_py.ops.minimum import MINIMUM, SCALAR_MINIMUM
from dfdx_py.ops.mul import MUL, SCALAR_MUL
from dfdx_py.ops.normalize import NORMALIZE
from dfdx_py.ops.pool2d import POOL2D, pool2d_geom
from dfdx_py.ops.select_and_gather import GATHER
from dfdx_py.ops.softmax import SOFTMAX
from dfdx_py.ops.std import STD
from dfdx_py.ops.sub import SCALAR_SUB, SUB
from dfdx_py.ops.sum import SUM
from dfdx_py.ops.upscale2d import UPSCALE2D
from dfdx_py.ops.var import VAR
from dfdx_py.optim.adam import ADAM_UPDATE, AdamConfig
from dfdx_py.optim.rmsprop import RMSPROP_UPDATE, RMSpropConfig
from dfdx_py.optim.sgd import SGD_UPDATE, SgdConfig
from tests.checks import make_device
from tests.cuda.test_unary_cuda import UNARY_PARAMS

pytestmark = pytest.mark.cuda

HALVES = pytest.mark.parametrize("half", [dfdx.f16.numpy, dfdx.bf16.numpy], ids=["f16", "bf16"])
MANTISSA = {dfdx.f16.numpy: 10, dfdx.bf16.numpy: 7}
MIN_EXPONENT = {dfdx.f16.numpy: -14, dfdx.bf16.numpy: -126}
F32 = np.dtype(np.float32)
SHAPES = [(), (0,), (7,), (2, 3, 67), (5000,)]  # (2, 3, 67): vectors of 8 and a tail
SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 1e-30, 30.0])


@pytest.fixture(scope="module")
def cuda(request: pytest.FixtureRequest) -> Any:
    return make_device("cuda", emulate=request.config.getoption("--cuda-emulator"))


@contextmanager
def quiet() -> Iterator[None]:
    """NumPy's warnings for NaN, overflow and casts are expected here."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def floats(shape: tuple[int, ...], dtype: Any, seed: int, scale: float = 2.0) -> Any:
    """Normal draws times ``scale`` with special values and small integers mixed in."""
    rng = np.random.default_rng(seed)
    x = scale * rng.standard_normal(shape)
    x = np.where(rng.random(shape) < 0.1, rng.choice(SPECIAL, shape), x)
    x = np.where(rng.random(shape) < 0.1, rng.integers(-3, 4, shape), x)
    with quiet():
        return np.asarray(x).astype(dtype)


def normal(shape: tuple[int, ...], dtype: Any, seed: int) -> Any:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def up(dev: Any, x: Any) -> Any:
    return dev._from_numpy(np.asarray(x))


def down(dev: Any, x: Any) -> Any:
    return None if x is None else dev._to_numpy(x)


def widen(x: Any) -> Any:
    """A half array as f32 (exactly); anything else as it is."""
    if isinstance(x, np.ndarray | np.generic) and x.dtype in MANTISSA:
        return np.asarray(x, np.float32)
    return x


def rounded(got: Any, want32: Any, scale: Any = 0.0) -> None:
    """``got`` (half) is ``want32`` (f32) rounded to half: NaN and infinities in the same
    places, finite values within one half ulp, plus 1e-6 of ``scale`` (the terms' size)."""
    assert got.dtype in MANTISSA and want32.dtype == F32 and got.shape == want32.shape
    with quiet():
        g = got.astype(np.float64)
        w = want32.astype(got.dtype).astype(np.float64)
        np.testing.assert_array_equal(np.isnan(g), np.isnan(w))
        inf = np.isinf(w)
        np.testing.assert_array_equal(g[inf], w[inf])
        exponent = np.floor(np.log2(np.maximum(np.abs(w), np.abs(g))))
        exponent = np.maximum(np.nan_to_num(exponent, neginf=-1000), MIN_EXPONENT[got.dtype])
        ulp = np.exp2(exponent - MANTISSA[got.dtype])
        bad = np.isfinite(w) & ~(np.abs(g - w) <= ulp + 1e-6 * np.abs(scale))
    assert not bad.any(), f"got {got[bad][:5]}, want {want32[bad][:5]}"


def twin(cuda: Any, call: Callable[..., Any], *args: Any, scale: Any = 0.0) -> Any:
    """Run ``call`` on ``args`` (numpy arrays go to the device; others are passed as they
    are) with the half arrays as they are and widened to f32, and check that every half
    result is the f32 result rounded; f32 and bool results must agree.
    Returns the half run's results on the host (one array, or a tuple)."""

    def run(values: tuple[Any, ...]) -> Any:
        out = call(*(up(cuda, v) if isinstance(v, np.ndarray | np.generic) else v for v in values))
        return tuple(down(cuda, o) for o in out) if isinstance(out, tuple) else down(cuda, out)

    got = run(args)
    want = run(tuple(widen(a) for a in args))
    pairs = zip(got, want, strict=True) if isinstance(got, tuple) else [(got, want)]
    for g, w in pairs:
        assert (g is None) == (w is None)
        if g is None:
            continue
        if g.dtype in MANTISSA:
            rounded(g, w, scale)
        elif g.dtype == np.bool_:
            np.testing.assert_array_equal(g, w)
        else:
            np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-6 * np.max(np.abs(w), initial=0))
    return got


# -- elementwise -----------------------------------------------------------------------------


@pytest.mark.parametrize(("op", "params", "exact"), UNARY_PARAMS)
@HALVES
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_unary(cuda, op, params, exact, half, shape):
    """Float parameters are rounded to half first (as on the Cpu); the backward pass
    recomputes the output in f32 rather than read the rounded one."""
    k = op.kernel(cuda)
    x, g = floats(shape, half, 1), floats(shape, half, 2)
    p32 = [float(np.asarray(p).astype(half)) if isinstance(p, float) else p for p in params]
    y = twin(cuda, k.forward, x, *p32)
    y32 = k.forward(up(cuda, widen(x)), *p32)
    got = down(cuda, k.backward(up(cuda, x), up(cuda, y), up(cuda, g), *params))
    want = down(cuda, k.backward(up(cuda, widen(x)), y32, up(cuda, widen(g)), *p32))
    with quiet():  # where formulas cancel: terms of the size of x (times g)
        scale = np.maximum(1.0, np.abs(x.astype(np.float64))) * np.abs(g.astype(np.float64))
    rounded(got, want, np.nan_to_num(scale))


SCALAR_OPS = [SCALAR_ADD, SCALAR_SUB, SCALAR_MUL, SCALAR_DIV, SCALAR_MAXIMUM, SCALAR_MINIMUM]


@pytest.mark.parametrize("op", SCALAR_OPS, ids=lambda op: op.name)
@HALVES
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_scalar_ops(cuda, op, half, shape):
    k = op.kernel(cuda)
    x = floats(shape, half, 3)
    g = floats(shape, half, 4)
    for s in (0.0, -1.0, 0.1, 3.0, float("inf"), float("nan")):
        rounded_s = float(np.asarray(s).astype(half))  # as the kernel rounds it (the Cpu too)
        y = twin(cuda, k.forward, x, rounded_s)
        assert np.array_equal(down(cuda, k.forward(up(cuda, x), s)), y, equal_nan=True)
        twin(cuda, k.backward, x, y, g, rounded_s)


BINARY_OPS = [ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM]


@pytest.mark.parametrize("op", BINARY_OPS, ids=lambda op: op.name)
@HALVES
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_binary_ops(cuda, op, half, shape):
    k = op.kernel(cuda)
    a, b = floats(shape, half, 5), floats(shape, half, 6)
    b = np.where(np.random.default_rng(7).random(shape) < 0.3, a, b)  # ties
    y = twin(cuda, k.forward, a, b)
    g = floats(shape, half, 8)
    a32, b32, g32 = (up(cuda, widen(v)) for v in (a, b, g))
    y32 = k.forward(a32, b32)  # the half backward recomputes y in f32 too
    for needs in [(True, True), (True, False), (False, True)]:
        got = k.backward(up(cuda, a), up(cuda, b), up(cuda, y), up(cuda, g), needs)
        want = k.backward(a32, b32, y32, g32, needs)
        for gh, gw in zip(got, want, strict=True):
            assert (gh is None) == (gw is None)
            if gh is not None:
                rounded(down(cuda, gh), down(cuda, gw))


@pytest.mark.parametrize("op", [EQ, NE, GT, GE, LT, LE], ids=lambda op: op.name)
@HALVES
def test_comparisons(cuda, op, half):
    k = op.kernel(cuda)
    a, b = floats((2, 3, 67), half, 9), floats((2, 3, 67), half, 10)
    b = np.where(np.random.default_rng(11).random(b.shape) < 0.3, a, b)
    twin(cuda, k.forward, a, b)
    for s in (0.0, 0.1, 1, -2.5, 1e-30, float("inf"), float("nan")):
        # the scalar takes the tensor's dtype first (NEP 50): the f32 run gets it rounded
        rounded_s = float(np.asarray(s).astype(half))
        got = down(cuda, k.scalar_forward(up(cuda, a), s))
        want = down(cuda, k.scalar_forward(up(cuda, widen(a)), rounded_s))
        np.testing.assert_array_equal(got, want)


@HALVES
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_dropout(cuda, half, shape):
    k = DROPOUT.kernel(cuda)
    mask = np.asarray(np.random.default_rng(12).random(shape) >= 0.3)
    x = floats(shape, half, 13)
    twin(cuda, lambda x, mask: k.forward(x, mask, 0.3), x, mask)
    twin(cuda, lambda g, mask: k.backward(g, mask, 0.3), x, mask)


# -- reductions and row kernels --------------------------------------------------------------

ROW_CASES = [  # (shape, axes): rows that fit the registers, rows that do not, moved axes
    ((1,), (0,)),
    ((3, 9), (1,)),
    ((2, 300), (1,)),
    ((2, 8197), (1,)),
    ((4, 5, 6), (0,)),
    ((4, 5, 6), (0, 2)),
    ((4, 5, 6), (1, 2)),
    ((3, 0), (1,)),
]


def kept(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(d for i, d in enumerate(shape) if i not in axes)


@HALVES
@pytest.mark.parametrize(("shape", "axes"), ROW_CASES, ids=str)
def test_reductions(cuda, half, shape, axes):
    x = normal(shape, half, 14) * np.asarray(3.0, half)
    g = normal(kept(shape, axes), half, 15)
    size = max(1, int(np.prod([shape[a] for a in axes])))
    for op, params in [(SUM, ()), (VAR, ()), (STD, (0.0,)), (STD, (0.5,)), (LOGSUMEXP, ())]:
        k = op.kernel(cuda)
        y = twin(cuda, k.forward, x, axes, *params, scale=size * 10.0)
        if x.size and op is LOGSUMEXP:  # its half backward recomputes y in f32 (as the Cpu)
            x32, y32 = up(cuda, widen(x)), k.forward(up(cuda, widen(x)), axes)
            got = k.backward(up(cuda, x), up(cuda, y), up(cuda, g), axes)
            rounded(down(cuda, got), down(cuda, k.backward(x32, y32, up(cuda, widen(g)), axes)))
        elif x.size:
            twin(cuda, k.backward, x, y, g, axes, scale=10.0)
    ties = np.round(x.astype(np.float32)).astype(half)
    for op in (MAX, MIN):
        if x.size:
            k = op.kernel(cuda)
            y = twin(cuda, k.forward, ties, axes)
            twin(cuda, k.backward, ties, y, g, axes)


@HALVES
@pytest.mark.parametrize(("shape", "axes"), ROW_CASES, ids=str)
def test_softmax_family(cuda, half, shape, axes):
    x = normal(shape, half, 16) * np.asarray(3.0, half)
    g = normal(shape, half, 17)
    for op in (SOFTMAX, LOG_SOFTMAX):
        k = op.kernel(cuda)
        y = twin(cuda, k.forward, x, axes, scale=10.0)
        twin(cuda, k.backward, y, g, axes, scale=10.0)
    k = NORMALIZE.kernel(cuda)
    for eps in (1e-5, 0.5):
        y = twin(cuda, lambda x, eps: k.forward(x, axes, eps)[0], x, eps, scale=10.0)
        # the saved statistics are f32 on both runs, so the backward passes agree too
        y_gpu, saved = k.forward(up(cuda, x), axes, eps)
        y32_gpu, saved32 = k.forward(up(cuda, widen(x)), axes, eps)
        for stat, stat32 in zip(saved[1:], saved32[1:], strict=True):
            assert stat.dtype == np.float32  # the compute type
            if x.size:  # (the statistics of empty rows are never read: left unwritten)
                np.testing.assert_allclose(down(cuda, stat), down(cuda, stat32), rtol=1e-6)
        got = down(cuda, k.backward(y_gpu, saved, up(cuda, g), axes))
        want = down(cuda, k.backward(y32_gpu, saved32, up(cuda, widen(g)), axes))
        rounded(got, want, scale=10.0)


def test_sums_accumulate_in_f32(cuda):
    """4096 ones sum to 4096 in f16 (an f16 accumulator would stop at 2048)."""
    x = np.ones((3, 4096), np.float16)
    for axes in ((1,), (0, 1)):
        got = down(cuda, SUM.kernel(cuda).forward(up(cuda, x), axes))
        np.testing.assert_array_equal(got, np.full(got.shape, x.sum(axes, dtype=np.float32)))
    assert down(cuda, SUM.kernel(cuda).forward(up(cuda, x.T), (0,))).tolist() == [4096.0] * 3


# -- matmul, linear, convolutions, pool2d, upscale2d -----------------------------------------

NEEDS = [(True, True), (True, False), (False, True)]


@HALVES
@pytest.mark.parametrize(
    ("sa", "sb"),
    [((37,), (37, 29)), ((41, 37), (37, 29)), ((3, 17, 37), (3, 37, 29)), ((4, 0), (0, 5))],
    ids=str,
)
def test_matmul(cuda, half, sa, sb):
    k = MATMUL.kernel(cuda)
    a, b = normal(sa, half, 18), normal(sb, half, 19)
    y = twin(cuda, k.forward, a, b, scale=40.0)
    g = normal(y.shape, half, 20)
    for needs in NEEDS:
        twin(cuda, k.backward, a, b, g, needs, scale=40.0)


@HALVES
def test_linear(cuda, half):
    k = LINEAR.kernel(cuda)
    x, w, b = normal((33, 20), half, 21), normal((7, 20), half, 22), normal((7,), half, 23)
    twin(cuda, k.forward, x, w, b, scale=30.0)
    g = normal((33, 7), half, 24)
    twin(cuda, lambda x, w, g: k.backward(x, w, g, (True, True, True)), x, w, g, scale=40.0)


@HALVES
def test_convolutions(cuda, half):
    x, w = normal((2, 6, 9, 11), half, 25), normal((8, 3, 3, 5), half, 26)
    geom = conv2d_geom("conv2d", x.shape, w.shape, (2, 1), (1, 2), (1, 2), 2)
    k = CONV2D.kernel(cuda)
    y = twin(cuda, lambda x, w: k.forward(x, w, geom), x, w, scale=40.0)
    g = normal(y.shape, half, 27)
    twin(cuda, lambda x, w, g: k.backward(x, w, g, geom, (True, True)), x, w, g, scale=40.0)
    xt, wt = normal((2, 4, 7, 9), half, 28), normal((4, 3, 3, 3), half, 29)
    geom = conv_transpose2d_geom(xt.shape, wt.shape, 2, 1, 1, 2, (1, 0))
    k = CONV_TRANSPOSE2D.kernel(cuda)
    y = twin(cuda, lambda x, w: k.forward(x, w, geom), xt, wt, scale=40.0)
    g = normal(y.shape, half, 30)
    twin(cuda, lambda x, w, g: k.backward(x, w, g, geom, (True, True)), xt, wt, g, scale=40.0)
    x1, w1 = normal((3, 4, 50), half, 31), normal((6, 2, 5), half, 32)
    geom = conv2d_geom("conv1d", (3, 4, 1, 50), (6, 2, 1, 5), (1, 2), (0, 3), (1, 2), 2)
    k = CONV1D.kernel(cuda)
    y = twin(cuda, lambda x, w: k.forward(x, w, geom), x1, w1, scale=40.0)
    g = normal(y.shape, half, 33)
    twin(cuda, lambda x, w, g: k.backward(x, w, g, geom, (True, True)), x1, w1, g, scale=40.0)


@HALVES
@pytest.mark.parametrize("kind", ["avg", "max", "min"])
def test_pool2d(cuda, half, kind):
    geom = pool2d_geom((2, 3, 17, 19), (2, 4), (2, 3), (1, 2))
    k = POOL2D.kernel(cuda)
    x = np.round(normal((2, 3, 17, 19), np.float32, 34) * 2).astype(half)  # ties
    y = twin(cuda, lambda x: k.forward(x, kind, geom), x, scale=10.0)
    g = normal(y.shape, half, 35)
    twin(cuda, lambda x, y, g: k.backward(x, y, g, kind, geom), x, y, g, scale=10.0)


@HALVES
@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_upscale2d(cuda, half, mode):
    k = UPSCALE2D.kernel(cuda)
    x = normal((2, 3, 5, 7), half, 36)
    y = twin(cuda, lambda x: k.forward(x, (13, 17), mode), x, scale=4.0)
    g = normal(y.shape, half, 37)
    twin(cuda, lambda x, g: k.backward(x, g, mode), x, g, scale=40.0)


# -- gather's backward: sums of repeated rows in f32 -----------------------------------------


@HALVES
def test_gather_backward_sums_in_f32(cuda, half):
    idx = np.zeros(3000, dtype=np.int64)
    grad_y = np.ones((3000, 3), dtype=half)
    back = down(cuda, GATHER.kernel(cuda).backward(up(cuda, grad_y), up(cuda, idx), 0, (4, 3)))
    assert back.dtype == half  # 3000 rounded once (f16: 3000; bf16: 2992)
    want = np.array([[3000.0] * 3] + [[0.0] * 3] * 3, dtype=np.float32).astype(half)
    np.testing.assert_array_equal(back.astype(np.float32), want.astype(np.float32))


# -- fill ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [dfdx.f16, dfdx.bf16, dfdx.AMP[dfdx.f16]], ids=str)
def test_full_rounds_once(cuda, dtype):
    for value in (1.0, 0.1, -3.3, 65504.0, 1e-7, float("inf")):
        got = cuda._to_numpy(cuda._full((5, 3), dtype, value))
        want = astype_rounded(np.full((5, 3), value), got.dtype)  # rounded once, as the Cpu
        np.testing.assert_array_equal(got.view(np.uint16), want.view(np.uint16))


# -- optimizers ------------------------------------------------------------------------------

OPTIMIZERS = {
    "sgd": (SGD_UPDATE, SgdConfig(0.1, 0.9, True, 0.1, False), 1),
    "sgd_plain": (SGD_UPDATE, SgdConfig(0.1, None, False, 0.2, True), 0),
    "adam": (ADAM_UPDATE, AdamConfig(0.01, (0.9, 0.999), 1e-8, 0.1, False), 2),
    "adamw": (ADAM_UPDATE, AdamConfig(0.02, (0.8, 0.99), 1e-7, 0.3, True), 2),
    "rmsprop": (RMSPROP_UPDATE, RMSpropConfig(0.01, 0.9, 1e-8, 0.9, True, 0.1, False), 3),
}


def update(
    dev: Any, op: Any, cfg: Any, t: int, p: Any, g: Any, states: list[Any], **amp: Any
) -> Any:
    """One step of ``op``'s kernel (step count ``t``) with the state buffers ``states``;
    ``amp``: ``grad_scale`` and ``master``."""
    k = op.kernel(dev)
    if op is SGD_UPDATE:
        return k.update(cfg, p, g, states[0] if states else None, **amp)
    if op is ADAM_UPDATE:
        return k.update(cfg, t, p, g, *states, **amp)
    if len(states) < 3:  # RMSprop's buffers: square_avg, grad_avg, velocity
        states = [*states, *[None] * (3 - len(states))]
    return k.update(cfg, p, g, *states, **amp)


@pytest.mark.parametrize("state", ["half", "f32"])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
@HALVES
@pytest.mark.parametrize("shape", [(), (7,), (5000,)], ids=str)
def test_optimizers(cuda, half, name, state, shape):
    """Each step: the half kernel against the f32 kernel from the same (widened) values;
    the state in the parameter's dtype, or in f32."""
    op, cfg, buffers = OPTIMIZERS[name]
    state_dtype = half if state == "half" else np.float32
    rng = np.random.default_rng(38)
    p = rng.standard_normal(shape).astype(half)
    states = [np.zeros(shape, state_dtype) for _ in range(buffers)]
    for t in range(1, 4):
        g = (rng.standard_normal(shape) * 3).astype(half)
        s_half = [up(cuda, s) for s in states]
        s_f32 = [up(cuda, widen(s)) for s in states]
        got = down(cuda, update(cuda, op, cfg, t, up(cuda, p), up(cuda, g), s_half))
        want = down(cuda, update(cuda, op, cfg, t, up(cuda, widen(p)), up(cuda, widen(g)), s_f32))
        rounded(got, want, scale=1.0)
        for s, w in zip(s_half, s_f32, strict=True):
            s_got, s_want = down(cuda, s), down(cuda, w)
            if state == "half":
                rounded(s_got, s_want, scale=10.0)
            else:
                np.testing.assert_allclose(s_got, s_want, rtol=1e-6, atol=1e-6)
        p, states = got, [down(cuda, s) for s in s_half]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@HALVES
@pytest.mark.parametrize("shape", [(), (7,), (5000,)], ids=str)
def test_amp_update_kernels_match_the_cpu(cuda, half, name, shape):
    """The one-launch AMP step (f32 master and state, half parameter and gradient, a
    gradient scale) against the Cpu's: the master and the state within f32 rounding, the
    half parameter exactly the master rounded once."""
    op, cfg, buffers = OPTIMIZERS[name]
    cpu = dfdx.Cpu()
    rng = np.random.default_rng(41)
    master = rng.standard_normal(shape).astype(np.float32)
    p = master.astype(half)
    states = [np.zeros(shape, np.float32) for _ in range(buffers)]
    on_cuda = [up(cuda, s) for s in states]
    master_cuda = up(cuda, master)
    for t in range(1, 4):
        g = (rng.standard_normal(shape) * 3000).astype(half)  # a loss scaled by 1024
        amp = {"grad_scale": 1 / 1024}
        p_cpu = update(cpu, op, cfg, t, p, g, states, master=master, **amp)
        p_cuda = update(
            cuda, op, cfg, t, up(cuda, p), up(cuda, g), on_cuda, **amp, master=master_cuda
        )
        m_cuda = down(cuda, master_cuda)
        np.testing.assert_allclose(m_cuda, master, rtol=2e-6, atol=1e-6)
        for s_cpu, s_cuda in zip(states, on_cuda, strict=True):
            np.testing.assert_allclose(down(cuda, s_cuda), s_cpu, rtol=2e-6, atol=1e-6)
        assert p_cpu.dtype == half and down(cuda, p_cuda).dtype == half
        want = astype_rounded(m_cuda, np.dtype(half))
        np.testing.assert_array_equal(down(cuda, p_cuda).view(np.uint16), want.view(np.uint16))
        want = astype_rounded(master, np.dtype(half))
        np.testing.assert_array_equal(p_cpu.view(np.uint16), want.view(np.uint16))
        p = p_cpu


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_grad_scale_multiplies_the_gradient(cuda, name, dtype):
    """A power-of-two ``grad_scale`` gives exactly the step from the pre-scaled gradient,
    on both devices."""
    op, cfg, buffers = OPTIMIZERS[name]
    rng = np.random.default_rng(43)
    p = rng.standard_normal((3, 50)).astype(dtype)
    g = rng.standard_normal((3, 50)).astype(dtype) * 8
    for dev in (dfdx.Cpu(), cuda):
        s1 = [up(dev, np.zeros(p.shape, dtype)) for _ in range(buffers)]
        s2 = [up(dev, np.zeros(p.shape, dtype)) for _ in range(buffers)]
        got = update(dev, op, cfg, 1, up(dev, p), up(dev, g), s1, grad_scale=0.125)
        want = update(dev, op, cfg, 1, up(dev, p), up(dev, g / 8), s2)
        np.testing.assert_array_equal(down(dev, got), down(dev, want))
        for a, b in zip(s1, s2, strict=True):
            np.testing.assert_array_equal(down(dev, a), down(dev, b))


def test_an_amp_step_is_one_launch_per_parameter(cuda, monkeypatch):
    """After the first ``Adam.update`` of an AMP[bf16] model (which also makes the f32
    masters), an update launches one kernel per parameter: the f32 master, the moments and
    the half copy in one pass."""
    model = cuda.build_module(dfdx.nn.Linear[6, 4], dfdx.AMP[dfdx.bf16])
    opt = dfdx.optim.Adam(model, lr=1e-3)
    grads = model.alloc_grads()
    x = cuda.tensor(np.ones((5, 6)), dtype=dfdx.AMP[dfdx.bf16])
    model.forward(x.traced(grads)).sum().backward()
    opt.update(model, grads)
    launched: list[str] = []
    launch = cuda.ctx.launch

    def counted(module: str, name: str, *args: Any, **kwargs: Any) -> None:
        launched.append(name)
        launch(module, name, *args, **kwargs)

    monkeypatch.setattr(cuda.ctx, "launch", counted)
    for step in (1, 2):
        weight = model.weight.numpy().astype(np.float64)
        opt.update(model, grads)
        assert launched == ["adam_update_amp_bf16"] * 2 * step  # the weight and the bias
        assert not np.array_equal(model.weight.numpy().astype(np.float64), weight)


def test_mixed_optimizer_state_is_refused(cuda):
    p = up(cuda, np.zeros(3, np.float16))
    m, v = up(cuda, np.zeros(3, np.float16)), up(cuda, np.zeros(3, np.float64))
    cfg = AdamConfig(0.01, (0.9, 0.999), 1e-8, None, False)
    with pytest.raises(dfdx.DeviceError, match="Adam: no Cuda kernel for float16 parameters"):
        ADAM_UPDATE.kernel(cuda).update(cfg, 1, p, p, m, v)
