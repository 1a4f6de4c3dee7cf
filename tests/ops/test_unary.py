"""The unary elementwise ops: forward vs NumPy and PyTorch (f64, f32), backward vs finite
differences and torch.autograd (f64), special points, dtypes and errors."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

import dfdx_py as dfdx
from tests.checks import arrays_of, check_op, shapes

Fn = Callable[[Any], Any]

ALPHA = math.sqrt(2.0 / math.pi)


def np_fast_gelu(a: Any) -> Any:
    return 0.5 * a * (1 + np.tanh(ALPHA * (a + 0.044715 * a**3)))


_math_erf = np.vectorize(math.erf, otypes=[np.float64])


def np_accurate_gelu(a: Any) -> Any:
    return (0.5 * a * (1 + _math_erf(a / math.sqrt(2.0)))).astype(a.dtype)


def np_sigmoid(a: Any) -> Any:
    return 1 / (1 + np.exp(-a))


def np_leaky(slope: float) -> Fn:
    return lambda a: np.where(a > 0, a, slope * a)


# (id, dfdx op, numpy op, torch op, value range for the inputs; None = standard normal)
CASES: list[tuple[str, Fn, Fn, Fn, tuple[float, float] | None]] = [
    ("abs", lambda t: t.abs(), np.abs, torch.abs, None),
    ("exp", lambda t: t.exp(), np.exp, torch.exp, (-4.0, 4.0)),
    ("ln", lambda t: t.ln(), np.log, torch.log, (0.1, 5.0)),
    ("sqrt", lambda t: t.sqrt(), np.sqrt, torch.sqrt, (0.1, 5.0)),
    ("square", lambda t: t.square(), np.square, torch.square, None),
    ("sin", lambda t: t.sin(), np.sin, torch.sin, (-6.0, 6.0)),
    ("cos", lambda t: t.cos(), np.cos, torch.cos, (-6.0, 6.0)),
    ("tanh", lambda t: t.tanh(), np.tanh, torch.tanh, (-4.0, 4.0)),
    ("sigmoid", lambda t: t.sigmoid(), np_sigmoid, torch.sigmoid, (-8.0, 8.0)),
    (
        "fast_gelu",
        lambda t: t.fast_gelu(),
        np_fast_gelu,
        lambda t: F.gelu(t, approximate="tanh"),
        (-5.0, 5.0),
    ),
    ("gelu", lambda t: t.gelu(), np_fast_gelu, lambda t: F.gelu(t, approximate="tanh"), None),
    ("accurate_gelu", lambda t: t.accurate_gelu(), np_accurate_gelu, F.gelu, (-6.0, 6.0)),
    ("leaky_relu", lambda t: t.leaky_relu(), np_leaky(0.01), F.leaky_relu, None),
    (
        "leaky_relu_0.2",
        lambda t: t.leaky_relu(0.2),
        np_leaky(0.2),
        lambda t: F.leaky_relu(t, 0.2),
        None,
    ),
    ("recip", lambda t: t.recip(), np.reciprocal, torch.reciprocal, (0.3, 3.0)),
    ("recip_neg", lambda t: t.recip(), np.reciprocal, torch.reciprocal, (-3.0, -0.3)),
    ("powf_2.5", lambda t: t.powf(2.5), lambda a: a**2.5, lambda t: t**2.5, (0.1, 3.0)),
    ("powf_-0.7", lambda t: t.powf(-0.7), lambda a: a**-0.7, lambda t: t**-0.7, (0.2, 3.0)),
    ("powf_int", lambda t: t.powf(2), lambda a: a**2.0, lambda t: t**2.0, None),
    ("powi_3", lambda t: t.powi(3), lambda a: a**3, lambda t: t**3, None),
    ("powi_1", lambda t: t.powi(1), lambda a: a**1, lambda t: t**1, None),
    ("powi_0", lambda t: t.powi(0), lambda a: a**0, lambda t: t**0, None),
    ("powi_-2", lambda t: t.powi(-2), lambda a: a**-2, lambda t: t**-2, (0.4, 3.0)),
    ("powi_-3", lambda t: t.powi(-3), lambda a: a**-3, lambda t: t**-3, (-3.0, -0.4)),
    (
        "clamp",
        lambda t: t.clamp(-0.5, 0.7),
        lambda a: np.clip(a, -0.5, 0.7),
        lambda t: torch.clamp(t, -0.5, 0.7),
        None,
    ),
    (
        "nans_to",
        lambda t: t.nans_to(0.0),
        lambda a: np.nan_to_num(a, nan=0.0, posinf=np.inf, neginf=-np.inf),
        lambda t: torch.nan_to_num(t, nan=0.0, posinf=math.inf, neginf=-math.inf),
        None,
    ),
    ("negate", lambda t: t.negate(), np.negative, torch.neg, None),
    ("neg_operator", lambda t: -t, np.negative, torch.neg, None),
]


@pytest.mark.parametrize(
    ("fn", "np_fn", "torch_fn", "bounds"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
@given(shape=shapes(), seed=st.integers(0, 2**32 - 1))
def test_unary(dev, fn, np_fn, torch_fn, bounds, shape, seed):
    low, high = bounds if bounds is not None else (None, None)
    x = arrays_of(shape, seed, low, high)
    check_op(dev, fn, [x], np_fn=np_fn, torch_fn=torch_fn)
    for dtype in (dfdx.f32, dfdx.f64):  # the output keeps the input's dtype, storage included
        out = fn(dev.tensor(x, dtype=dtype))
        assert out.dtype is dtype
        assert out.numpy().dtype == dtype.numpy
        assert out.shape == x.shape


@pytest.mark.parametrize(("fn", "bounds"), [(c[1], c[4]) for c in CASES], ids=[c[0] for c in CASES])
def test_unary_gradient_keeps_dtype_f32(dev, fn, bounds):
    low, high = bounds if bounds is not None else (None, None)
    x = dev.tensor(arrays_of((2, 3), 7, low, high), dtype=dfdx.f32)
    grads = dfdx.Gradients()
    fn(x.trace(grads)).sum().backward()
    g = grads.get(x)
    assert g.dtype is dfdx.f32 and g.numpy().dtype == np.float32
    assert g.shape == (2, 3)


# -- exact values at special points ---------------------------------------------------------


def grad_of(dev: Any, fn: Fn, values: list[float], dtype: type[dfdx.DType] = dfdx.f64) -> Any:
    x = dev.tensor(values, dtype=dtype)
    grads = dfdx.Gradients()
    fn(x.trace(grads)).sum().backward()
    return grads.get(x).numpy()


def test_abs_gradient_is_sign_with_zero_at_zero(dev):
    assert grad_of(dev, lambda t: t.abs(), [-2.0, 0.0, 3.0]).tolist() == [-1.0, 0.0, 1.0]


def test_leaky_relu_kink(dev):
    x = dev.tensor([-2.0, 0.0, 3.0])
    assert x.leaky_relu(0.1).numpy().tolist() == pytest.approx([-0.2, 0.0, 3.0])
    # at 0 the gradient is the slope, as in PyTorch
    assert grad_of(dev, lambda t: t.leaky_relu(0.1), [-2.0, 0.0, 3.0]).tolist() == [0.1, 0.1, 1.0]


def test_clamp_gradient_includes_the_bounds(dev):
    got = grad_of(dev, lambda t: t.clamp(-1.0, 1.0), [-2.0, -1.0, 0.0, 1.0, 2.0])
    assert got.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]
    x = dev.tensor([-2.0, -1.0, 0.5, 1.0, 2.0])
    assert x.clamp(-1.0, 1.0).numpy().tolist() == [-1.0, -1.0, 0.5, 1.0, 1.0]
    assert math.isnan(dev.tensor([math.nan]).clamp(0.0, 1.0).item())  # NaN stays NaN


def test_clamp_equal_bounds(dev):
    x = dev.tensor([-1.0, 0.5, 2.0], dtype=dfdx.f64)
    assert x.clamp(0.5, 0.5).numpy().tolist() == [0.5, 0.5, 0.5]


def test_nans_to(dev):
    x = dev.tensor([1.0, math.nan, -math.inf, math.nan, math.inf])
    assert x.nans_to(-7.0).numpy().tolist() == [1.0, -7.0, -math.inf, -7.0, math.inf]
    assert x.nans_to(-7.0).dtype is dfdx.f32
    got = grad_of(dev, lambda t: t.nans_to(5.0), [1.0, math.nan, 2.0])
    assert got.tolist() == [1.0, 0.0, 1.0]


def test_pow_zero_exponent_has_zero_gradient_everywhere(dev):
    # as PyTorch: d/dx x**0 is 0, even at x = 0 where the formula reads 0 * 0**-1
    assert grad_of(dev, lambda t: t.powi(0), [0.0, 2.0, -1.0]).tolist() == [0.0, 0.0, 0.0]
    assert grad_of(dev, lambda t: t.powf(0.0), [0.0, 2.0]).tolist() == [0.0, 0.0]
    assert dev.tensor([0.0, 2.0]).powi(0).numpy().tolist() == [1.0, 1.0]


def test_pow_values(dev):
    x = dev.tensor([2.0, -3.0, 0.5], dtype=dfdx.f64)
    assert x.powi(3).numpy().tolist() == [8.0, -27.0, 0.125]
    assert x.powi(-1).numpy().tolist() == [0.5, -1 / 3, 2.0]
    assert grad_of(dev, lambda t: t.powi(3), [2.0, -3.0]).tolist() == [12.0, 27.0]
    assert grad_of(dev, lambda t: t.powi(-2), [2.0]).tolist() == [-0.25]
    assert dev.tensor([4.0]).powf(0.5).item() == 2.0
    assert math.isnan(dev.tensor([-4.0]).powf(0.5).item())  # as torch: nan, no exception
    assert grad_of(dev, lambda t: t.powf(1.5), [4.0]).tolist() == [3.0]


def test_powi_accepts_numpy_ints(dev):
    assert dev.tensor([3.0]).powi(np.int64(2)).item() == 9.0


def test_sigmoid_extremes_do_not_overflow(dev):
    x = dev.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=dfdx.f64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = x.sigmoid().numpy()
    want = torch.sigmoid(torch.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=torch.float64))
    np.testing.assert_allclose(y, want.numpy(), rtol=1e-15, atol=0)
    assert y[0] == 0.0 and y[-1] == 1.0 and y[2] == 0.5


def test_domain_edges_are_silent_like_torch(dev):
    # inf and nan as PyTorch returns them, without numpy RuntimeWarnings
    x = dev.tensor([-1.0, 0.0, 1.0], dtype=dfdx.f64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = {
            "ln": x.ln().numpy(),
            "sqrt": x.sqrt().numpy(),
            "recip": x.recip().numpy(),
            "powi": x.powi(-1).numpy(),
            "powf": x.powf(-0.5).numpy(),
            "exp": dev.tensor([1000.0], dtype=dfdx.f64).exp().numpy(),
        }
        ln_grad = grad_of(dev, lambda t: t.ln(), [0.0])
        sqrt_grad = grad_of(dev, lambda t: t.sqrt(), [0.0])
    t = torch.tensor([-1.0, 0.0, 1.0], dtype=torch.float64)
    expected = {
        "ln": torch.log(t),
        "sqrt": torch.sqrt(t),
        "recip": torch.reciprocal(t),
        "powi": t**-1,
        "powf": t**-0.5,
        "exp": torch.exp(torch.tensor([1000.0], dtype=torch.float64)),
    }
    for name, want in expected.items():
        np.testing.assert_array_equal(results[name], want.numpy(), err_msg=name)
    assert ln_grad.tolist() == [math.inf]
    assert sqrt_grad.tolist() == [math.inf]


def test_gelu_is_fast_gelu(dev):
    x = dev.tensor(arrays_of((5,), 3), dtype=dfdx.f64)
    np.testing.assert_array_equal(x.gelu().numpy(), x.fast_gelu().numpy())
    assert dfdx.ops.gelu(x).numpy().tolist() == x.fast_gelu().numpy().tolist()


def test_accurate_gelu_in_the_tails(dev):
    # the left tail is computed through erfc: relative accuracy where 1 + erf would cancel
    # to 0 (PyTorch's formula). The rounding of x/√2 alone is amplified ~x² times there.
    values = [-30.0, -12.0, -8.0, -5.0, 5.0, 8.0, 30.0]
    got = dev.tensor(values, dtype=dfdx.f64).accurate_gelu().numpy()
    want = [0.5 * v * math.erfc(-v / math.sqrt(2.0)) for v in values]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    assert (got[:3] < 0).all()
    # d/dx = Φ(x) + x φ(x); PyTorch loses Φ(x) to the cancellation of 1 + erf in the tail
    got_grad = grad_of(dev, lambda t: t.accurate_gelu(), values)
    want_grad = [
        0.5 * math.erfc(-v / math.sqrt(2.0)) + v * math.exp(-0.5 * v * v) / math.sqrt(2 * math.pi)
        for v in values
    ]
    np.testing.assert_allclose(got_grad, want_grad, rtol=1e-12, atol=0)


def test_tail_values_match_torch_f32(dev):
    values = np.array([-20.0, -9.0, -3.0, 0.0, 3.0, 9.0, 20.0])
    # accurate_gelu is computed in f64 and rounded to f32: the exact values rounded, where
    # PyTorch's f32 result loses digits to 1 + erf(x/√2) cancelling (x = -3: 1e-4)
    got = dev.tensor(values, dtype=dfdx.f32).accurate_gelu().numpy()
    want = np.array([0.5 * v * math.erfc(-v / math.sqrt(2.0)) for v in values], np.float32)
    np.testing.assert_array_equal(got, want)
    for fn, tfn in [
        (lambda t: t.fast_gelu(), lambda t: F.gelu(t, approximate="tanh")),
        (lambda t: t.sigmoid(), torch.sigmoid),
        (lambda t: t.tanh(), torch.tanh),
    ]:
        got = fn(dev.tensor(values, dtype=dfdx.f32)).numpy()
        want = tfn(torch.from_numpy(values.astype(np.float32))).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_chain_of_unary_ops(dev):
    # a composition backpropagates through every op (checked against torch.autograd)
    values = np.array([0.3, 1.2, 2.5])
    grads = dfdx.Gradients()
    x = dev.tensor(values, dtype=dfdx.f64)
    y = x.trace(grads).sqrt().exp().sin().square().sigmoid().ln().negate().sum()
    y.backward()
    t = torch.tensor(values, requires_grad=True)
    (-torch.log(torch.sigmoid(torch.square(torch.sin(torch.exp(torch.sqrt(t))))))).sum().backward()
    assert t.grad is not None
    np.testing.assert_allclose(y.item(), float(_torch_chain(values)), rtol=1e-12)
    np.testing.assert_allclose(grads.get(x).numpy(), t.grad.numpy(), rtol=1e-12)


def _torch_chain(values: Any) -> Any:
    t = torch.tensor(values)
    return (-torch.log(torch.sigmoid(torch.square(torch.sin(torch.exp(torch.sqrt(t))))))).sum()


def test_untraced_records_nothing(dev):
    y = dev.tensor([1.0, 2.0]).exp()
    assert not y.is_traced


# -- i64 where it makes sense ---------------------------------------------------------------


def test_int_ops(dev):
    x = dev.tensor([-3, 0, 2])
    assert x.dtype is dfdx.i64
    for out, want in [
        (x.abs(), [3, 0, 2]),
        (x.square(), [9, 0, 4]),
        (x.negate(), [3, 0, -2]),
        (-x, [3, 0, -2]),
        (x.clamp(-1, 1), [-1, 0, 1]),
        (x.clamp(-1.0, 1.0), [-1, 0, 1]),  # whole floats are accepted as int bounds
    ]:
        assert out.dtype is dfdx.i64
        assert out.numpy().dtype == np.int64
        assert out.numpy().tolist() == want


# -- errors ---------------------------------------------------------------------------------

FLOAT_ONLY: list[tuple[str, Fn]] = [
    ("exp", lambda t: t.exp()),
    ("ln", lambda t: t.ln()),
    ("sqrt", lambda t: t.sqrt()),
    ("sin", lambda t: t.sin()),
    ("cos", lambda t: t.cos()),
    ("tanh", lambda t: t.tanh()),
    ("sigmoid", lambda t: t.sigmoid()),
    ("fast_gelu", lambda t: t.gelu()),
    ("fast_gelu", lambda t: t.fast_gelu()),
    ("accurate_gelu", lambda t: t.accurate_gelu()),
    ("leaky_relu", lambda t: t.leaky_relu()),
    ("recip", lambda t: t.recip()),
    ("powf", lambda t: t.powf(2.0)),
    ("powi", lambda t: t.powi(2)),
    ("nans_to", lambda t: t.nans_to(0.0)),
]


@pytest.mark.parametrize(
    ("name", "fn"), FLOAT_ONLY, ids=[f"{n}-{i}" for i, (n, _) in enumerate(FLOAT_ONLY)]
)
def test_float_only_ops_reject_i64(dev, name, fn):
    with pytest.raises(dfdx.DTypeError, match=name):
        fn(dev.tensor([1, 2]))


ALL_UNARY: list[tuple[str, Fn]] = [
    *FLOAT_ONLY,
    ("abs", lambda t: t.abs()),
    ("square", lambda t: t.square()),
    ("negate", lambda t: t.negate()),
    ("clamp", lambda t: t.clamp(0, 1)),
]


@pytest.mark.parametrize(
    ("name", "fn"), ALL_UNARY, ids=[f"{n}-{i}" for i, (n, _) in enumerate(ALL_UNARY)]
)
def test_unary_ops_reject_bool(dev, name, fn):
    with pytest.raises(dfdx.DTypeError, match=name):
        fn(dev.tensor([True, False]))


def test_clamp_errors(dev):
    x = dev.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="clamp: lo must be <= hi"):
        x.clamp(1.0, 0.0)
    with pytest.raises(dfdx.DTypeError, match="clamp"):
        dev.tensor([1, 2]).clamp(0.5, 1.0)  # a fractional bound on an i64 tensor
    with pytest.raises(dfdx.DTypeError, match="clamp"):
        x.clamp("a", 1.0)


def test_powi_rejects_non_int_exponents(dev):
    x = dev.tensor([1.0, 2.0])
    for bad in (2.5, 2.0, True, "2", None):
        with pytest.raises(dfdx.DTypeError, match="powi: the exponent must be an int"):
            x.powi(bad)


def test_scalar_params_must_be_numbers(dev):
    x = dev.tensor([1.0, 2.0])
    with pytest.raises(dfdx.DTypeError, match="leaky_relu"):
        x.leaky_relu("0.1")
    with pytest.raises(dfdx.DTypeError, match="powf"):
        x.powf(None)
    with pytest.raises(dfdx.DTypeError, match="nans_to"):
        x.nans_to(True)
