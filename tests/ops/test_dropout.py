"""dropout: identity when untraced, a seeded mask scaled by 1/(1-p) when traced."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dfdx_py as dfdx
from tests.checks import arrays_of, make_device, shapes


def test_untraced_is_identity(dev):
    x = dev.tensor(arrays_of((3, 4), 0))
    assert x.dropout(0.5) is x
    assert x.dropout() is x
    np.testing.assert_array_equal(x.dropout(0.9).numpy(), x.numpy())


def test_p_zero_is_identity_when_traced(dev):
    x = dev.tensor(arrays_of((3, 4), 0))
    grads = dfdx.Gradients()
    y = x.trace(grads).dropout(0.0)
    np.testing.assert_array_equal(y.numpy(), x.numpy())
    y.sum().backward()
    np.testing.assert_array_equal(grads.get(x).numpy(), np.ones((3, 4), np.float32))


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_fraction_dropped_and_scaling(dev, p):
    x = dev.tensor(arrays_of((200, 500), 1) + 5.0, dtype=dfdx.f64)  # no zeros in x
    y = x.trace().dropout(p).numpy()
    dropped = y == 0
    n = dropped.size
    assert abs(dropped.mean() - p) < 4 * np.sqrt(p * (1 - p) / n)
    kept = ~dropped
    np.testing.assert_allclose(y[kept], x.numpy()[kept] / (1 - p), rtol=1e-15)


@settings(max_examples=10)
@given(shape=shapes(), seed=st.integers(0, 2**32 - 1), p=st.floats(0.05, 0.95))
def test_gradient_is_mask_over_keep_probability(dev, shape, seed, p):
    values = arrays_of(shape, seed)
    weights = arrays_of(shape, seed + 1)
    for dtype in (dfdx.f64, dfdx.f32):
        x = dev.tensor(values, dtype=dtype)
        grads = dfdx.Gradients()
        y = x.trace(grads).dropout(p)
        assert y.is_traced and y.dtype is dtype and y.numpy().dtype == dtype.numpy
        (y * dev.tensor(weights, dtype=dtype)).sum().backward()
        mask = y.numpy() != 0  # the values are never exactly 0
        scale = 1.0 / (1.0 - p)
        got = grads.get(x).numpy()
        assert got.dtype == dtype.numpy and got.shape == tuple(shape)
        tol = 1e-6 if dtype is dfdx.f32 else 1e-14
        want = np.where(mask, weights * scale, 0.0)
        np.testing.assert_allclose(got, want, rtol=tol, atol=0)
        np.testing.assert_allclose(y.numpy(), np.where(mask, values * scale, 0.0), rtol=tol)


def test_through_a_mean(dev):
    # dfdx's test: dropout(0.5) then mean over 5 elements; kept elements get 2 * 1/5
    x = dev.tensor([0.0, 2.0, -3.0, -4.0, 0.5], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    y = x.trace(grads).dropout(0.5)
    y.mean().backward()
    g = grads.get(x).numpy()
    assert set(g.tolist()) <= {0.0, 0.4}
    np.testing.assert_array_equal(y.numpy(), np.where(g != 0, 2.0 * x.numpy(), 0.0))


def test_reproducible_for_a_seed():
    x = arrays_of((50, 40), 2)

    def mask(seed: int) -> np.ndarray:
        dev = make_device("cpu", seed=seed)
        return dev.tensor(x).trace().dropout(0.5).numpy() == 0

    np.testing.assert_array_equal(mask(3), mask(3))
    assert (mask(3) != mask(4)).any()


def test_masks_differ_between_calls(dev):
    x = dev.ones((1000,)).trace()
    a = x.dropout(0.5).numpy()
    b = x.dropout(0.5).numpy()
    assert (a != b).any()


def test_bad_p(dev):
    x = dev.ones((3,)).trace()
    for p in (-0.1, 1.0, 1.5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"dropout: p must be in \[0, 1\)"):
            x.dropout(p)
    with pytest.raises(ValueError, match="dropout"):
        dev.ones((3,)).dropout(1.0)  # checked on untraced tensors too
    for p in ("0.5", None, True):
        with pytest.raises(TypeError, match="dropout"):
            x.dropout(p)
    assert x.dropout(np.float32(0.25)).shape == (3,)


def test_non_float_tensor(dev):
    with pytest.raises(dfdx.DTypeError, match="dropout"):
        dev.tensor([1, 2, 3]).dropout(0.5)
