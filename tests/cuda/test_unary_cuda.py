"""The Cuda kernels of the unary elementwise ops, dropout and to_dtype against the Cpu
kernels, called directly on storage.

Kernels doing at most a few IEEE operations per element (selections, products, quotients,
square roots, conversions) must give the Cpu's results exactly; transcendental functions
(exp, sin, tanh, pow, erfc, ...) come from another math library and are compared within a
few units in the last place, with NaN and infinities in the same places. Inputs mix in
special values (NaN, ±inf, ±0), incoming gradients include non-finite ones, and the shapes
include empty, rank-0 and sizes that take many grid-stride steps. The f16 and bf16
conversions are checked bit for bit against NumPy and ml_dtypes on every 16-bit pattern, and
rounding to them against the Cpu's rule (``astype_rounded``: rounded once, where ml_dtypes
rounds f64 to bf16 twice).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

import dfdx_py as dfdx
from dfdx_py.devices.base import astype_rounded
from dfdx_py.ops.abs import ABS
from dfdx_py.ops.accurate_gelu import ACCURATE_GELU
from dfdx_py.ops.clamp import CLAMP
from dfdx_py.ops.cos import COS
from dfdx_py.ops.dropout import DROPOUT
from dfdx_py.ops.exp import EXP
from dfdx_py.ops.fast_gelu import FAST_GELU
from dfdx_py.ops.leaky_relu import LEAKY_RELU
from dfdx_py.ops.ln import LN
from dfdx_py.ops.nans_to import NANS_TO
from dfdx_py.ops.negate import NEGATE
from dfdx_py.ops.powf import POWF
from dfdx_py.ops.powi import POWI
from dfdx_py.ops.recip import RECIP
from dfdx_py.ops.sigmoid import SIGMOID
from dfdx_py.ops.sin import SIN
from dfdx_py.ops.sqrt import SQRT
from dfdx_py.ops.square import SQUARE
from dfdx_py.ops.tanh import TANH
from dfdx_py.ops.to_dtype import TO_DTYPE
from tests.checks import make_device

pytestmark = pytest.mark.cuda

SHAPES = [(), (0,), (7,), (3, 5), (2, 3, 67), (5000,)]
SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 1e-30, 30.0])
FLOATS = {"f32": np.float32, "f64": np.float64}
TOL = {np.dtype(np.float32): 4e-6, np.dtype(np.float64): 1e-13}  # rtol of inexact kernels


@pytest.fixture(scope="module")
def cuda(request: pytest.FixtureRequest) -> Any:
    return make_device("cuda", emulate=request.config.getoption("--cuda-emulator"))


@pytest.fixture(scope="module")
def cpu() -> Any:
    return dfdx.Cpu()


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
    x = np.where(rng.random(shape) < 0.2, rng.choice(SPECIAL, shape), x)
    x = np.where(rng.random(shape) < 0.1, rng.integers(-3, 4, shape), x)
    return np.asarray(x, dtype=dtype)


def up(dev: Any, x: Any) -> Any:
    return dev._from_numpy(np.asarray(x))


def down(dev: Any, x: Any) -> Any:
    return dev._to_numpy(x)


def same(got: Any, want: Any) -> None:
    """Equal shapes, dtypes and values (NaN where the other has NaN)."""
    want = np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def close(got: Any, want: Any, scale: Any = 1.0) -> None:
    """Equal shapes and dtypes, NaN and infinities in the same places, finite values within
    a few ulps of the value, or of ``scale`` where that is larger (the size of terms that
    cancel in the formula)."""
    want = np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan)
    inf = np.isinf(want)
    np.testing.assert_array_equal(got[inf], want[inf])
    finite = ~nan & ~inf
    with quiet():
        err = np.abs(got.astype(np.float64) - want.astype(np.float64))
        scale = np.where(np.isnan(scale), 0.0, np.abs(scale))
        bound = TOL[want.dtype] * (np.abs(want) + scale) + 1e-300
    bad = finite & ~(err <= bound)
    assert not bad.any(), f"got {got[bad][:5]}, want {want[bad][:5]}"


# -- unary ops: (op, params, exact) ----------------------------------------------------------

UNARY = [
    (ABS, (), True),
    (EXP, (), False),
    (LN, (), False),
    (SQRT, (), True),
    (SQUARE, (), True),
    (SIN, (), False),
    (COS, (), False),
    (TANH, (), False),
    (SIGMOID, (), False),
    (FAST_GELU, (), False),
    (ACCURATE_GELU, (), False),
    (LEAKY_RELU, (0.01,), True),
    (LEAKY_RELU, (0.2,), True),
    (RECIP, (), True),
    (POWF, (2.5,), False),
    (POWF, (-0.7,), False),
    (POWF, (2.0,), False),
    (POWF, (0.0,), False),
    (POWF, (1e-9,), False),
    (POWI, (0,), False),
    (POWI, (1,), False),
    (POWI, (2,), False),
    (POWI, (3,), False),
    (POWI, (4,), False),
    (POWI, (5,), False),
    (POWI, (-1,), False),
    (POWI, (-2,), False),
    (POWI, (-3,), False),
    (POWI, (-4,), False),
    (POWI, (-7,), False),
    (POWI, (2**40 + 1,), False),
    (CLAMP, (-0.5, 0.7), True),
    (CLAMP, (0.5, 0.5), True),
    (NANS_TO, (-7.0,), True),
    (NANS_TO, (0.0,), True),
    (NEGATE, (), True),
]
EXACT_BACKWARD = {"exp", "ln", "sigmoid"}  # given y: y g, g / x, y (1 - y) g
# formulas whose terms cancel (1 + tanh for x << 0, 1 - y² for |x| large, Φ(x) + x φ(x) near
# its root) are compared to a few ulps of the terms' size rather than of the result; so is
# accurate_gelu, whose Cpu erfc is 1 - erf below 2 (2e-15 absolute, see erf.py)
CANCELS_FORWARD = {"fast_gelu", "accurate_gelu"}
CANCELS_BACKWARD = {"fast_gelu", "accurate_gelu", "tanh"}
UNARY_PARAMS = [
    pytest.param(op, params, exact, id=f"{op.name}{list(params) if params else ''}")
    for op, params, exact in UNARY
]


@pytest.mark.parametrize(("op", "params", "exact"), UNARY_PARAMS)
@pytest.mark.parametrize("dtype", FLOATS.values(), ids=FLOATS.keys())
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_unary_matches_cpu(cuda, cpu, op, params, exact, dtype, shape):
    x = floats(shape, dtype, 1)
    k_gpu, k_cpu = op.kernel(cuda), op.kernel(cpu)
    with quiet():
        y = k_cpu.forward(x, *params)
    y_gpu = k_gpu.forward(up(cuda, x), *params)
    scale = np.maximum(1.0, np.abs(x))  # the size of the terms in the formulas that cancel
    if exact:
        same(down(cuda, y_gpu), y)
    else:
        close(down(cuda, y_gpu), y, scale if op.name in CANCELS_FORWARD else 0.0)
    # the backward pass gets the Cpu's y on both devices, and non-finite incoming gradients
    grad_y = floats(shape, dtype, 2)
    with quiet():
        want = k_cpu.backward(x, y, grad_y, *params)
    got = down(cuda, k_gpu.backward(up(cuda, x), up(cuda, y), up(cuda, grad_y), *params))
    if op in (POWF, POWI) and params[0] == 0:  # x^0: gradient 0, even for NaN or inf g
        assert not got.any()
    if exact or op.name in EXACT_BACKWARD:
        same(got, want)
    else:
        with quiet():
            scale = scale * np.abs(grad_y) if op.name in CANCELS_BACKWARD else 0.0
        close(got, want, scale)


INT_OPS = [
    (ABS, ()),
    (SQUARE, ()),
    (NEGATE, ()),
    (CLAMP, (-1, 1)),
    (CLAMP, (-(2**63), 2**63 - 1)),
    (CLAMP, (3, 3)),
]


@pytest.mark.parametrize(
    ("op", "params"), INT_OPS, ids=[f"{op.name}{list(p) if p else ''}" for op, p in INT_OPS]
)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_i64_matches_cpu(cuda, cpu, op, params, shape):
    rng = np.random.default_rng(3)
    x = rng.integers(-5, 6, shape)
    extremes = rng.choice(np.array([-(2**63), 2**63 - 1, -(2**62), 2**32 + 1, -(2**31)]), shape)
    x = np.where(rng.random(shape) < 0.2, extremes, x).astype(np.int64)  # overflows wrap
    with quiet():
        want = op.kernel(cpu).forward(x, *params)
    same(down(cuda, op.kernel(cuda).forward(up(cuda, x), *params)), want)


def test_powi_parity_of_large_exponents(cuda, cpu):
    x = np.array([-1.0, 1.0, -1.0000001, 0.5, -0.0, np.inf, -np.inf, np.nan])
    for n in (2**40 + 1, 2**40, -(2**40) - 1, 2**53, 2**63 - 1, -(2**63)):
        for dtype in (np.float32, np.float64):
            xs = x.astype(dtype)
            with quiet():
                want = POWI.kernel(cpu).forward(xs, n)
            close(down(cuda, POWI.kernel(cuda).forward(up(cuda, xs), n)), want)


# -- dropout ----------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("dtype", FLOATS.values(), ids=FLOATS.keys())
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_dropout_matches_cpu(cuda, cpu, p, dtype, shape):
    x = floats(shape, dtype, 4)
    mask = np.random.default_rng(5).random(shape) >= p
    k_gpu, k_cpu = DROPOUT.kernel(cuda), DROPOUT.kernel(cpu)
    mask_gpu = up(cuda, mask)
    with quiet():
        want = k_cpu.forward(x, mask, p)
        want_grad = k_cpu.backward(x, mask, p)
    same(down(cuda, k_gpu.forward(up(cuda, x), mask_gpu, p)), want)
    same(down(cuda, k_gpu.backward(up(cuda, x), mask_gpu, p)), want_grad)


def test_dropout_drops_the_same_elements_on_both_devices(cuda):
    cpu = dfdx.Cpu(seed=3)
    gpu = type(cuda)(0, seed=3)
    x = np.random.default_rng(6).standard_normal((40, 50)) + 10.0
    a = cpu.tensor(x).trace().dropout(0.3).numpy()
    b = gpu.tensor(x).trace().dropout(0.3).numpy()
    np.testing.assert_array_equal(a == 0, b == 0)
    np.testing.assert_allclose(a, b, rtol=1e-7)


# -- to_dtype ---------------------------------------------------------------------------------

ALL = {
    "f32": dfdx.f32,
    "f64": dfdx.f64,
    "i64": dfdx.i64,
    "bool": dfdx.bool_,
    "f16": dfdx.f16,
    "bf16": dfdx.bf16,
}
PAIRS = [
    pytest.param(src, dst, id=f"{s}-{d}")
    for s, src in ALL.items()
    for d, dst in ALL.items()
    if src is not dst
]


def values_of(dtype: Any, shape: tuple[int, ...], seed: int) -> Any:
    """Values of ``dtype`` with special values mixed in (finite ones when ``finite``)."""
    if dtype is dfdx.bool_:
        return np.random.default_rng(seed).random(shape) < 0.5
    if dtype is dfdx.i64:
        rng = np.random.default_rng(seed)
        big = rng.integers(-(2**62), 2**62, shape) >> rng.integers(0, 63, shape)
        return np.where(rng.random(shape) < 0.3, rng.integers(-3, 4, shape), big)
    with quiet():
        return floats(shape, np.float64, seed, scale=100.0).astype(dtype.numpy)


def same_bits(got: Any, want: Any) -> None:
    """Bit for bit, except that a NaN only needs to be a NaN of the same sign."""
    assert got.shape == want.shape and got.dtype == want.dtype
    width = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[want.dtype.itemsize]
    g, w = got.view(width), want.view(width)
    if want.dtype.kind in "fV":  # bf16 has numpy kind V
        with quiet():
            nan_g = np.isnan(got.astype(np.float64))
            nan_w = np.isnan(want.astype(np.float64))
        np.testing.assert_array_equal(nan_g, nan_w)
        sign = width(1) << width(8 * want.dtype.itemsize - 1)
        np.testing.assert_array_equal(g[nan_w] & sign, w[nan_w] & sign)
        g, w = g[~nan_w], w[~nan_w]
    np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize(("src", "dst"), PAIRS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_to_dtype_matches_cpu(cuda, cpu, src, dst, shape):
    x = values_of(src, shape, 7)
    k_gpu, k_cpu = TO_DTYPE.kernel(cuda), TO_DTYPE.kernel(cpu)
    if src.is_float and dst is dfdx.i64:
        finite = np.isfinite(x.astype(np.float64))
        if not finite.all():
            with pytest.raises(ValueError, match=f"cannot convert NaN or infinite {src} values"):
                k_gpu.forward(up(cuda, x), src, dst)
        # NumPy's result out of the i64 range depends on the CPU: leave it out
        x = np.where(finite & (np.abs(x.astype(np.float64)) < 2.0**63), x, 0).astype(src.numpy)
    with quiet():
        want = k_cpu.forward(x, src, dst)
    same_bits(down(cuda, k_gpu.forward(up(cuda, x), src, dst)), want)
    if src.is_float and dst.is_float:
        grad_y = values_of(dst, shape, 8)
        with quiet():
            want = k_cpu.backward(grad_y, src)
        same_bits(down(cuda, k_gpu.backward(up(cuda, grad_y), src)), want)


def test_float_to_i64_finds_one_nan_anywhere(cuda):
    for dtype in (np.float32, np.float64):
        for where in (0, 4999):
            x = np.zeros(5000, dtype)
            x[where] = np.nan
            with pytest.raises(ValueError, match="cannot convert NaN or infinite"):
                cuda.tensor(x).to_dtype(dfdx.i64)
    assert cuda.tensor(np.zeros((0, 3))).to_dtype(dfdx.i64).shape == (0, 3)


@pytest.mark.parametrize("half", [dfdx.f16, dfdx.bf16], ids=["f16", "bf16"])
def test_every_half_pattern(cuda, half):
    """Every f16 (or bf16) value to each dtype, as numpy and ml_dtypes convert it."""
    x = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(half.numpy)
    for dst in (dfdx.f32, dfdx.f64, dfdx.bool_, dfdx.f16, dfdx.bf16):
        if dst is not half:
            with quiet():
                want = x.astype(dst.numpy)
            same_bits(down(cuda, TO_DTYPE.kernel(cuda).forward(up(cuda, x), half, dst)), want)
    finite = x[np.abs(x.astype(np.float32)) < 2.0**63]  # NaN and inf raise, as tested above
    got = down(cuda, TO_DTYPE.kernel(cuda).forward(up(cuda, finite), half, dfdx.i64))
    same(got, finite.astype(np.int64))


def _f32_patterns() -> Any:
    """Random f32 bit patterns, and every pattern near the f16 and bf16 rounding limits."""
    rng = np.random.default_rng(9)
    bits = [rng.integers(0, 2**32, 200_000, dtype=np.uint64).astype(np.uint32)]
    for edge in (65504.0, 65520.0, 2.0**-14, 2.0**-24, 2.0**-25, 3.3895314e38, 1.0, 1.5):
        center = int(np.float32(edge).view(np.uint32))
        bits.append(np.arange(center - 5000, center + 5000, dtype=np.uint32))
    # exponents in and around the f16 range, every mantissa tail that decides a rounding
    exps = rng.integers(127 - 30, 127 + 17, 100_000).astype(np.uint32)
    tails = rng.choice(
        np.array([0, 0xFFF, 0x1000, 0x1001, 0x2000, 0x3000, 0x7FFF, 0x8000]), 100_000
    )
    mant = (rng.integers(0, 2**23, 100_000) & ~0xFFFF) | tails
    bits.append((exps << 23) | mant.astype(np.uint32))
    both = np.concatenate(bits)
    return np.concatenate([both, both | np.uint32(2**31)]).view(np.float32)


def _f64_patterns() -> Any:
    rng = np.random.default_rng(10)
    exps = rng.integers(1023 - 30, 1023 + 17, 200_000).astype(np.uint64)
    tails = rng.choice(np.array([0, 1, 2**41 - 1, 2**41, 2**41 + 1, 2**42, 3 * 2**41]), 200_000)
    mant = (
        rng.integers(0, 2**52, 200_000).astype(np.uint64) & ~np.uint64(2**43 - 1)
    ) | tails.astype(np.uint64)
    bits = np.concatenate(
        [(exps << np.uint64(52)) | mant, rng.integers(0, 2**63, 100_000).astype(np.uint64)]
    )
    specials = np.array([0.0, np.inf, np.nan, 65504.0, 65520.0, 65519.99, 2.0**-24, 2.0**-25])
    x = np.concatenate([bits.view(np.float64), specials])
    return np.concatenate([x, -x])


def test_f32_and_f64_to_half_round_once(cuda):
    for src, x in ((dfdx.f32, _f32_patterns()), (dfdx.f64, _f64_patterns())):
        for half in (dfdx.f16, dfdx.bf16):
            with quiet():
                want = astype_rounded(x, half.numpy)
            got = down(cuda, TO_DTYPE.kernel(cuda).forward(up(cuda, x), src, half))
            same_bits(got, want)


def test_i64_to_half_rounds_once(cuda):
    rng = np.random.default_rng(11)
    x = rng.integers(-(2**62), 2**62, 100_000) >> rng.integers(0, 63, 100_000)
    x = np.concatenate([x, [65504, 65519, 65520, -65520, 2**24 + 1, 2**63 - 1, -(2**63)]])
    for half in (dfdx.f16, dfdx.bf16):
        with quiet():
            want = astype_rounded(x, half.numpy)
        same_bits(down(cuda, TO_DTYPE.kernel(cuda).forward(up(cuda, x), dfdx.i64, half)), want)


def test_half_tensors_move_through_to_dtype(cuda):
    x = cuda.tensor([1.0, 2.5, -3.25, 65504.0])
    grads = dfdx.Gradients()
    h = x.trace(grads).to_dtype(dfdx.f16)
    assert h.dtype is dfdx.f16 and h.numpy().tolist() == [1.0, 2.5, -3.25, 65504.0]
    h.to_dtype(dfdx.f32).sum().backward()
    assert grads.get(x).numpy().tolist() == [1.0, 1.0, 1.0, 1.0]


def test_amp_dtypes_convert_as_their_storage(cuda):
    """AMP[f16] is stored as f16: between the two, to_dtype copies; to and from f32 it uses
    the f16 conversions."""
    x = cuda.tensor([1.0, 2.5, -3.25, 0.1])
    grads = dfdx.Gradients()
    for half in (dfdx.f16, dfdx.bf16):
        amp = dfdx.AMP[half]
        a = x.trace(grads).to_dtype(amp)
        h = a.to_dtype(half)
        assert a.dtype is amp and h.dtype is half
        want = astype_rounded(np.array([1.0, 2.5, -3.25, 0.1], np.float32), half.numpy)
        same_bits(a.numpy(), want)
        same_bits(h.numpy(), want)
        assert h._data.ptr != a._data.ptr  # a copy, as the Cpu's astype
        h.to_dtype(amp).to_dtype(dfdx.f32).sum().backward()
        assert grads.get(x).numpy().tolist() == [1.0, 1.0, 1.0, 1.0]
        grads = dfdx.Gradients()
