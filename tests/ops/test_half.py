"""Half precision on every device: f16, bf16 and the AMP dtypes are computed in f32 and
rounded once to half (load half, compute in float, store half).

``check_op`` already runs every op test in f16, bf16 and AMP (``tests/checks.py``:
``check_half``), but on hypothesis's small shapes, where a kernel that accumulates in half
still passes. These tests reduce hundreds of terms, where such a kernel is off by percents,
and hold every result to the f64 result on the same half-rounded inputs, rounded once:
within half a unit in the last place (``ulp``) of the half dtype, plus twice the error the
f32 computation itself makes. Gradients are held to the same bound, for ``sum(fn(x) * w)``
with ``w`` in half (so the op's backward receives exactly ``w``). A few ops round twice by
construction (``roundings``): std's backward pass reads its rounded output (its kernel gets
no more), which costs its gradient up to one more unit of roundoff. sigmoid, tanh,
logsumexp, normalize, softmax and log_softmax recompute the f32 output from their input for
the backward pass (from a rounded output, ``1 - tanh²`` near 1 or a peaked softmax's
gradient keep no correct digit).

The second half checks ``to_dtype`` between every two float dtypes against a reference
rounding (to nearest, ties to even) computed from the table of every 16-bit value, and the
rounding of ``dev.tensor(..., dtype=...)`` and ``dev.full``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import dfdx_py as dfdx
from dfdx_py.dtypes import storage_dtype
from dfdx_py.ops.log_softmax import LOG_SOFTMAX
from dfdx_py.ops.softmax import SOFTMAX
from tests.checks import as_tensor, assert_half_close

Array = np.ndarray[Any, Any]

HALF_DTYPES = [dfdx.f16, dfdx.bf16, dfdx.AMP[dfdx.bf16], dfdx.AMP[dfdx.f16]]
HALF_IDS = ["f16", "bf16", "amp_bf16", "amp_f16"]
FLOATS = [dfdx.f16, dfdx.bf16, dfdx.f32, dfdx.f64, dfdx.AMP[dfdx.f16], dfdx.AMP[dfdx.bf16]]
FLOAT_IDS = ["f16", "bf16", "f32", "f64", "amp_f16", "amp_bf16"]


# -- the bound: the f64 result rounded once --------------------------------------------------


def assert_rounded_once(
    got: Array, want: Array, f32: Array, dtype: type[dfdx.DType], what: str, roundings: int = 1
) -> None:
    """``|got - want| <= roundings * ulp(want) / 2 + 2 * |f32 - want|`` elementwise, ``ulp``
    that of ``dtype``'s storage at ``want`` (``want`` is the exact f64 result, ``f32`` the op
    computed in f32)."""
    half = storage_dtype(dtype).numpy
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    f32 = np.asarray(f32, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, f64 gives {want.shape}"
    assert np.isfinite(want).all() and np.isfinite(got).all(), f"{what}: not finite"
    with np.errstate(over="ignore"):
        ulp = np.spacing(np.abs(want).astype(half)).astype(np.float64)
    allowed = roundings * ulp / 2 + 2 * np.abs(f32 - want)
    err = np.abs(got - want)
    bad = err > allowed
    if bad.any():
        i = np.unravel_index(np.argmax(np.where(bad, err / np.maximum(ulp, 1e-300), 0)), err.shape)
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {err.size} elements not rounded once; worst at {i}: "
            f"got {got[i]!r}, f64 {want[i]!r} (ulp {ulp[i]:.3g}, f32 {f32[i]!r})"
        )


def check_rounded_once(
    dev: Any,
    fn: Callable[..., Any],
    inputs: Sequence[Any],
    dtype: type[dfdx.DType],
    roundings: int = 1,
    grad_roundings: int | None = 1,
    wrt: Sequence[int] | None = None,
) -> None:
    """``fn`` on ``dtype`` tensors, forward and gradients, against f64 (and f32) on the same
    half-rounded inputs: ``assert_rounded_once`` with ``roundings`` and ``grad_roundings``
    (``None``: the gradients only within ``HALF_TOLERANCES``, max-relative, as in
    ``check_op``). Float arrays in ``inputs`` become tensors of each dtype; anything else
    (index tensors' arrays, ints) passes as is."""
    floats = [isinstance(v, np.ndarray) and v.dtype.kind == "f" for v in inputs]
    tensors = [as_tensor(dev, v, dtype) for v in inputs]
    rounded = [
        t.numpy().astype(np.float64) if f else v
        for t, v, f in zip(tensors, inputs, floats, strict=True)
    ]
    refs = {d: [as_tensor(dev, v, d) for v in rounded] for d in (dfdx.f64, dfdx.f32)}
    out = fn(*tensors)
    assert out.dtype is dtype and out.numpy().dtype == storage_dtype(dtype).numpy
    want = fn(*refs[dfdx.f64]).numpy()
    assert_rounded_once(
        out.numpy(), want, fn(*refs[dfdx.f32]).numpy(), dtype, f"{dtype} output", roundings
    )
    wrt = [i for i, f in enumerate(floats) if f] if wrt is None else wrt
    weights = np.random.default_rng(7).standard_normal(out.shape)
    w = dev.tensor(weights, dtype=dtype).numpy().astype(np.float64)

    def grads(d: Any, args: list[Any]) -> list[Array]:
        store = dfdx.Gradients()
        traced = [a.trace(store) if i in wrt else a for i, a in enumerate(args)]
        (fn(*traced) * dev.tensor(w, dtype=d)).sum().backward()
        return [store.get(args[i]).numpy() for i in wrt]

    got_grads = grads(dtype, tensors)
    want_grads = grads(dfdx.f64, refs[dfdx.f64])
    f32_grads = grads(dfdx.f32, refs[dfdx.f32])
    for i, g, g64, g32 in zip(wrt, got_grads, want_grads, f32_grads, strict=True):
        assert g.dtype == storage_dtype(dtype).numpy, f"gradient of input {i} is {g.dtype}"
        what = f"{dtype} gradient of input {i}"
        if grad_roundings is None:
            assert_half_close(g, g64, g32, dtype, what)
        else:
            assert_rounded_once(g, g64, g32, dtype, what, grad_roundings)


def tensor_core_roundings(dev: Any) -> int:
    """Half-ulps a gemm may be off: 1 on the Cpu (BLAS in f32, then one rounding); 4 on a
    real GPU, whose tensor cores add f16 products into an f32 accumulator that truncates
    rather than rounds (measured on an H200: 1.7 f16 ulps on a sum that cancels to 1e-3 of
    its terms). The CPU emulation of the Cuda device computes gemms in f32 numpy: 1."""
    from tests.cuda_emulator.context import EmulatedCuda

    return 4 if dev.kind == "cuda" and not isinstance(dev, EmulatedCuda) else 1


def normal(*shape: int, seed: int = 0, mean: float = 0.5) -> Array:
    """Normal values around ``mean``: sums of hundreds of them do not cancel to near 0."""
    return np.random.default_rng(seed).standard_normal(shape) + mean


# -- reductions and row ops over 300 elements ------------------------------------------------

ROW_OPS: list[tuple[str, Callable[[Any], Any], int, int | None]] = [
    # (id, op, roundings of the forward, roundings of the gradient)
    ("sum_last", lambda t: t.sum(-1), 1, 1),
    ("sum_first", lambda t: t.sum(0), 1, 1),
    ("sum_all", lambda t: t.sum(), 1, 1),
    ("sum_middle", lambda t: t.reshape((8, 300, 8)).sum(1), 1, 1),
    ("mean_last", lambda t: t.mean(-1), 1, 1),
    ("mean_all", lambda t: t.mean(), 1, 1),
    ("var", lambda t: t.var(-1), 1, 1),
    ("var_first", lambda t: t.var(0), 1, 1),
    ("std", lambda t: t.std(-1), 1, 3),
    ("std_eps", lambda t: t.std(0, eps=1e-3), 1, 3),
    ("logsumexp", lambda t: t.logsumexp(-1), 1, 1),
    ("logsumexp_first", lambda t: t.logsumexp(0), 1, 1),
    ("softmax", lambda t: t.softmax(-1), 1, 1),
    ("softmax_first", lambda t: t.softmax(0), 1, 1),
    ("log_softmax", lambda t: t.log_softmax(-1), 1, 1),
    ("log_softmax_first", lambda t: t.log_softmax(0), 1, 1),
    ("normalize", lambda t: t.normalize(-1), 1, 1),
    ("normalize_first", lambda t: t.normalize(0), 1, 1),
    ("max", lambda t: t.max(-1), 1, 1),
    ("min", lambda t: t.min(0), 1, 1),
    ("broadcast_rows", lambda t: t.sum(0).broadcast_to((5, 300)), 1, 1),
]


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=HALF_IDS)
@pytest.mark.parametrize(
    ("fn", "roundings", "grad_roundings"), [c[1:] for c in ROW_OPS], ids=[c[0] for c in ROW_OPS]
)
def test_row_ops_round_once(dev, dtype, fn, roundings, grad_roundings, request):
    x = normal(64, 300)
    if "softmax" in request.node.name and not _softmax_backward_gets_input(dev):
        grad_roundings = None
    check_rounded_once(dev, fn, [x], dtype, roundings, grad_roundings)


def _softmax_backward_gets_input(dev: Any) -> bool:
    """Whether the softmax kernels of ``dev`` have ``backward_with_input`` (the Cpu's do): a
    softmax gradient computed from the rounded output is held to ``check_op``'s max-relative
    bound only (it is then as accurate as PyTorch's, which also works from the output)."""
    return all(hasattr(op.kernel(dev), "backward_with_input") for op in (SOFTMAX, LOG_SOFTMAX))


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=HALF_IDS)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_peaked_softmax_gradient(dev, dtype, name):
    """Large logits: softmax is nearly one-hot, its gradient ``y (g - Σ g y)`` a small
    difference of terms of the size of ``g``."""
    x = normal(16, 10, seed=15, mean=0.0) * 8.0
    grad_roundings = 1 if _softmax_backward_gets_input(dev) else None
    check_rounded_once(dev, lambda t: getattr(t, name)(-1), [x], dtype, 1, grad_roundings)


@pytest.mark.parametrize("dtype", [dfdx.f16, dfdx.bf16], ids=["f16", "bf16"])
def test_bf16_sum_is_not_percents_off(dev, dtype):
    """The case that showed it: a half-accumulated sum of 19200 values near 0.5 stalls."""
    x = dev.tensor(normal(64, 300, seed=3), dtype=dtype)
    want = x.numpy().astype(np.float64)
    ulp = float(np.spacing(storage_dtype(dtype).numpy.type(1)))  # relative, at most
    for axis, n in ((None, want.sum()), (1, want.sum(1))):
        got = x.sum(axis).numpy().astype(np.float64)
        np.testing.assert_allclose(got, n, rtol=ulp)
        got_mean = x.mean(axis).numpy().astype(np.float64)
        np.testing.assert_allclose(got_mean, n / (want.size if axis is None else 300), rtol=ulp)


# -- matmul, linear and convolutions: f32 GEMMs ----------------------------------------------

MATMUL_FORMS = {
    "(K,)@(K,N)": ((300,), (300, 16)),
    "(M,K)@(K,)": ((16, 300), (300,)),
    "(M,K)@(K,N)": ((24, 300), (300, 16)),
    "(B,M,K)@(K,N)": ((3, 8, 300), (300, 16)),
    "(B,M,K)@(B,K,N)": ((3, 8, 300), (3, 300, 16)),
    "(B,S,M,K)@(B,S,K,N)": ((2, 2, 8, 300), (2, 2, 300, 8)),
}


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=HALF_IDS)
@pytest.mark.parametrize("shapes", MATMUL_FORMS.values(), ids=MATMUL_FORMS.keys())
def test_matmul_rounds_once(dev, dtype, shapes):
    a, b = (normal(*s, seed=i, mean=0.2) for i, s in enumerate(shapes))
    check_rounded_once(dev, dfdx.matmul, [a, b], dtype, roundings=tensor_core_roundings(dev))


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=HALF_IDS)
def test_linear_rounds_once(dev, dtype):
    x, w, b = normal(64, 300, seed=1), normal(24, 300, seed=2, mean=0.1), normal(24, seed=3)
    check_rounded_once(dev, dfdx.linear, [x, w, b], dtype)


CONVS: dict[str, tuple[Callable[..., Any], tuple[int, ...], tuple[int, ...]]] = {
    "conv2d": (lambda x, w: dfdx.conv2d(x, w, padding=1), (2, 32, 6, 6), (8, 32, 3, 3)),
    "conv2d_groups": (
        lambda x, w: dfdx.conv2d(x, w, stride=2, padding=1, groups=2),
        (2, 32, 7, 7),
        (8, 16, 3, 3),
    ),
    "conv1d": (lambda x, w: dfdx.conv1d(x, w, padding=2), (2, 48, 20), (8, 48, 5)),
    "conv_transpose2d": (
        lambda x, w: dfdx.conv_transpose2d(x, w, stride=2, padding=1),
        (2, 32, 5, 5),
        (32, 8, 3, 3),
    ),
}


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=HALF_IDS)
@pytest.mark.parametrize(("fn", "x_shape", "w_shape"), CONVS.values(), ids=CONVS.keys())
def test_convolutions_round_once(dev, dtype, fn, x_shape, w_shape):
    x, w = normal(*x_shape, seed=4), normal(*w_shape, seed=5, mean=0.1)
    check_rounded_once(dev, fn, [x, w], dtype, roundings=tensor_core_roundings(dev))


# -- pooling, upscaling, gathers: windows and scatter-adds -----------------------------------

SPATIAL: list[tuple[str, Callable[[Any], Any]]] = [
    ("avg_pool", lambda t: dfdx.pool2d(t, "avg", 5, stride=1, padding=2)),
    ("max_pool", lambda t: dfdx.pool2d(t, "max", 5, stride=1, padding=2)),
    ("min_pool", lambda t: dfdx.pool2d(t, "min", 3, stride=1)),
    ("upscale_bilinear", lambda t: dfdx.upscale2d(t, (37, 41), mode="bilinear")),
    ("upscale_nearest", lambda t: dfdx.upscale2d(t, (40, 45), mode="nearest")),
]


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=HALF_IDS)
@pytest.mark.parametrize("fn", [c[1] for c in SPATIAL], ids=[c[0] for c in SPATIAL])
def test_windows_round_once(dev, dtype, fn):
    check_rounded_once(dev, fn, [normal(2, 3, 9, 10, seed=6)], dtype)


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=HALF_IDS)
def test_gather_backward_adds_repeats_in_f32(dev, dtype):
    idx = np.random.default_rng(8).integers(0, 3, (2, 300))
    x = normal(2, 5, 4, seed=9)
    check_rounded_once(dev, lambda t: t.gather(dev.tensor(idx), 1), [x], dtype)
    rows = np.random.default_rng(10).integers(0, 4, (30, 20))  # an embedding lookup
    check_rounded_once(dev, lambda t: t.gather(dev.tensor(rows), 0), [normal(4, 8)], dtype)


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=HALF_IDS)
def test_select_and_slices_and_joins_are_exact(dev, dtype):
    x = normal(6, 300, seed=11)
    idx = dev.tensor(np.array([5, 0, 2, 2, 1, 3]))
    check_rounded_once(dev, lambda t: t.select(idx, 1), [x], dtype)
    check_rounded_once(dev, lambda t: t[1:5, 7:250].permute((1, 0)), [x], dtype)
    check_rounded_once(
        dev, lambda a, b: dfdx.concat((a, b, a), axis=1).sum(0), [x, normal(6, 7)], dtype
    )
    check_rounded_once(dev, lambda a, b: dfdx.stack([a, b, a]).sum(0), [x, x + 1], dtype)


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=HALF_IDS)
def test_dropout_scales_in_f32(dev, dtype):
    x = dev.tensor(normal(64, 300, seed=12), dtype=dtype)
    grads = dfdx.Gradients()
    y = x.trace(grads).dropout(0.3)
    w = dev.tensor(normal(64, 300, seed=13), dtype=dtype)
    (y * w).sum().backward()
    kept = y.numpy() != 0
    assert 0.6 < kept.mean() < 0.8
    scale = 1.0 / 0.7  # in f32, not rounded to half first
    f64 = x.numpy().astype(np.float64)
    want = np.where(kept, f64 * scale, 0.0)
    f32 = np.where(kept, f64.astype(np.float32) * np.float32(scale), 0)
    assert_rounded_once(y.numpy(), want, f32, dtype, "dropout")
    gw = w.numpy().astype(np.float64)
    want_g = np.where(kept, gw * scale, 0.0)
    f32_g = np.where(kept, gw.astype(np.float32) * np.float32(scale), 0)
    assert_rounded_once(grads.get(x).numpy(), want_g, f32_g, dtype, "dropout gradient")


def _away_from_zero(a: Array) -> Array:
    return np.sign(a) * (np.abs(a) + 0.5)


ELEMENTWISE: list[tuple[str, Callable[..., Any], Callable[[Array], Array]]] = [
    # formulas of several steps in one kernel: rounded once, where half arithmetic rounds
    # each step; (id, op, the inputs from standard normal values)
    ("fast_gelu", lambda t: t.fast_gelu(), lambda a: a * 2),
    ("accurate_gelu", lambda t: t.accurate_gelu(), lambda a: a * 2),
    ("sigmoid", lambda t: t.sigmoid(), lambda a: a * 3),
    ("tanh", lambda t: t.tanh(), lambda a: a * 2),
    ("powf", lambda t: t.powf(1.75), lambda a: np.abs(a) + 0.1),
    ("leaky_relu", lambda t: t.leaky_relu(0.25), lambda a: a),
    ("div", lambda a, b: a / b, _away_from_zero),
    ("scalar_div", lambda t: t / 3.0, lambda a: a),
]


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=HALF_IDS)
@pytest.mark.parametrize(
    ("fn", "make"), [c[1:] for c in ELEMENTWISE], ids=[c[0] for c in ELEMENTWISE]
)
def test_elementwise_round_once(dev, dtype, fn, make):
    n_args = fn.__code__.co_argcount
    inputs = [make(normal(40, 50, seed=20 + i, mean=0.0)) for i in range(n_args)]
    check_rounded_once(dev, fn, inputs, dtype)


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=HALF_IDS)
def test_float_parameters_take_the_dtype(dev, dtype):
    """As in dfdx, whose parameters have the tensor's dtype (and NumPy and PyTorch, where a
    Python scalar operand takes the tensor's dtype): a parameter is rounded to half first,
    then the op computes in f32."""
    x = normal(40, 50, seed=30, mean=0.0)
    np_half = storage_dtype(dtype).numpy

    def param(p: float) -> float:
        return float(np.array(p).astype(np_half))

    ops = [
        (lambda t: t.powf(1.7), lambda a: np.abs(a) ** param(1.7)),
        (lambda t: t.leaky_relu(0.3), lambda a: np.where(a > 0, a, a * param(0.3))),
        (lambda t: t - 0.1, lambda a: a - param(0.1)),
        (lambda t: t * 0.3, lambda a: a * param(0.3)),
        (lambda t: t.clamp(-0.3, 0.7), lambda a: np.clip(a, param(-0.3), param(0.7))),
    ]
    for op, ref in ops:
        t = dev.tensor(x, dtype=dtype)
        got = (op(t.abs()) if op is ops[0][0] else op(t)).numpy().astype(np.float64)
        rounded = t.numpy().astype(np.float64)
        want = ref(rounded)
        f32 = ref(rounded.astype(np.float32)).astype(np.float64)
        assert_rounded_once(got, want, f32, dtype, "parameter in the dtype")


@pytest.mark.parametrize("dtype", [dfdx.f16, dfdx.bf16], ids=["f16", "bf16"])
def test_unary_gradient_uses_the_f32_output(dev, dtype):
    """sigmoid and tanh differentiate with ``y (1 - y)`` and ``1 - y²``: from a rounded ``y``
    near 1 those lose every bit; the backward pass works from the f32 output instead."""
    x = dev.tensor(np.array([4.0, 5.5, 7.0, -6.0]), dtype=dtype)
    for name in ("sigmoid", "tanh"):
        check_rounded_once(
            dev, lambda t, n=name: getattr(t, n)(), [x.numpy().astype(np.float64)], dtype
        )


# -- to_dtype and tensor creation: every float dtype to every other, rounded once -------------


@functools.cache
def _table(np_dtype: Any) -> tuple[Array, Array]:
    """Every finite non-negative value of a 16-bit float dtype, sorted, as f64, and its bits."""
    bits = np.arange(0, 0x8000, dtype=np.uint16)
    values = bits.view(np_dtype).astype(np.float64)
    finite = np.isfinite(values)
    order = np.argsort(values[finite], kind="stable")
    return values[finite][order], bits[finite][order]


def reference_round(values: Array, dtype: type[dfdx.DType]) -> Array:
    """``values`` (f64) rounded to nearest, ties to even, to ``dtype``: numpy's casts for f32
    and f64 (IEEE hardware), a search in the table of every value for f16 and bf16, so the
    reference shares no code with the casts under test. Returns f64."""
    np_dtype = storage_dtype(dtype).numpy
    if np_dtype.itemsize >= 4:
        with np.errstate(over="ignore"):
            return values.astype(np_dtype).astype(np.float64)
    table, bits = _table(np_dtype)
    mag = np.abs(values)
    hi = np.clip(np.searchsorted(table, mag, side="left"), 1, len(table) - 1)
    lo = hi - 1
    below, above = table[lo], table[hi]
    up = (mag - below > above - mag) | ((mag - below == above - mag) & (bits[lo] % 2 == 1))
    out = np.where(up, above, below)
    out = np.where(mag <= table[0], 0.0, out)
    out = np.where(mag == table[hi], table[hi], out)
    # past the largest value: inf from its midpoint with the next power of two
    top = table[-1]
    limit = top + (top - table[-2]) / 2
    out = np.where(mag >= limit, np.inf, np.where(mag > top, top, out))
    out = np.where(np.isnan(values), np.nan, out)
    return np.copysign(out, values)


def tricky_values() -> Array:
    """Random values over the whole range, the midpoints of the f16 and bf16 grids and just
    off them (where a rounding through f32 goes wrong), subnormals, overflow, inf, nan, -0."""
    rng = np.random.default_rng(14)
    parts = [rng.standard_normal(200) * 10.0 ** rng.integers(-9, 9, 200)]
    for np_dtype in (np.dtype(np.float16), storage_dtype(dfdx.bf16).numpy):
        table, _ = _table(np_dtype)
        pick = table[rng.integers(0, len(table) - 1, 300)]
        nxt = table[np.searchsorted(table, pick) + 1]
        mid = (pick + nxt) / 2
        parts += [mid, mid * (1 + 2.0**-40), mid * (1 - 2.0**-40), -mid, pick]
    parts.append(
        np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, 6e-8, 3e-8, 1e-40, 65504.0, 65520.0])
    )
    parts.append(np.array([65519.9, 3.3895e38, 3.3962e38, 3.4e38, 1e39, -1e300, 1e-300]))
    return np.concatenate(parts)


@pytest.mark.parametrize("src", FLOATS, ids=FLOAT_IDS)
def test_tensor_creation_rounds_once(dev, src):
    values = tricky_values()
    with np.errstate(over="ignore", invalid="ignore"):
        t = dev.tensor(values, dtype=src)
        assert t.dtype is src
        np.testing.assert_array_equal(t.numpy().astype(np.float64), reference_round(values, src))
        for v in (0.1, 1 + 2.0**-8 + 2.0**-30, -70000.0, 1e-41):
            got = dev.full((2,), v, dtype=src).numpy().astype(np.float64)
            np.testing.assert_array_equal(got, reference_round(np.array([v, v]), src))


@pytest.mark.parametrize("dst", FLOATS, ids=FLOAT_IDS)
@pytest.mark.parametrize("src", FLOATS, ids=FLOAT_IDS)
def test_to_dtype_rounds_once(dev, src, dst):
    with np.errstate(over="ignore", invalid="ignore"):
        x = dev.tensor(tricky_values(), dtype=src)
        values = x.numpy().astype(np.float64)
        grads = dfdx.Gradients()
        y = x.trace(grads).to_dtype(dst)
        assert y.dtype is dst and y.numpy().dtype == storage_dtype(dst).numpy
        np.testing.assert_array_equal(y.numpy().astype(np.float64), reference_round(values, dst))
        # the gradient goes back to src, rounded once too
        w_values = np.nan_to_num(tricky_values()[::-1], nan=1.0, posinf=2.0, neginf=-2.0)
        w = dev.tensor(w_values, dtype=dst)
        (y * w).sum().backward()
        want = reference_round(w.numpy().astype(np.float64), src)
        got = grads.get(x).numpy().astype(np.float64)
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dst", FLOATS, ids=FLOAT_IDS)
def test_integers_and_bools_to_half_round_once(dev, dst):
    ints = np.array(
        [0, 1, -3, 255, 257, 2049, 65519, 65520, 2**24 + 1, 2**40 + 2**32 + 1, -(2**52) - 1]
    )
    with np.errstate(over="ignore"):
        got = dev.tensor(ints).to_dtype(dst).numpy().astype(np.float64)
    np.testing.assert_array_equal(got, reference_round(ints.astype(np.float64), dst))
    bools = dev.tensor(np.array([True, False]))
    assert bools.to_dtype(dst).numpy().astype(np.float64).tolist() == [1.0, 0.0]
    x = dev.tensor(np.array([1.7, -2.9, 0.0, 300.0]), dtype=dst)
    assert x.to_dtype(dfdx.i64).numpy().tolist() == [1, -2, 0, 300]
    assert x.to_dtype(dfdx.bool_).numpy().tolist() == [True, True, False, True]


def test_amp_dtypes_flow_through_ops(dev):
    """An AMP tensor stays AMP through every kind of op, its gradients too."""
    amp = dfdx.AMP[dfdx.bf16]
    x = dev.tensor(normal(4, 6), dtype=amp)
    w = dev.tensor(normal(3, 6), dtype=amp)
    grads = dfdx.Gradients()
    xt = x.trace(grads)
    h = dfdx.linear(xt, w).relu().softmax() + dfdx.matmul(xt, w.permute((1, 0))).normalize()
    out = (h * 2.0).sum(0).logsumexp()
    assert out.dtype is amp and h.dtype is amp
    out.backward()
    assert grads.get(x).dtype is amp and grads.get(x).numpy().dtype == storage_dtype(amp).numpy
    assert x.to_dtype(dfdx.bf16).dtype is dfdx.bf16
    assert x.to_dtype(dfdx.AMP[dfdx.f16]).dtype is dfdx.AMP[dfdx.f16]
