"""to_dtype: conversions between every dtype, the gradient of float-to-float, errors."""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
import pytest
import torch
from hypothesis import given, settings

import dfdx_py as dfdx
from tests.checks import float_arrays


def test_same_dtype_returns_x(dev):
    x = dev.tensor([1.0, 2.0])
    assert x.to_dtype(dfdx.f32) is x
    t = x.trace()
    assert t.to_dtype(dfdx.f32) is t


@settings(max_examples=10)
@given(x=float_arrays())
def test_float_round_trips(dev, x):
    a = dev.tensor(x, dtype=dfdx.f32)
    b = a.to_dtype(dfdx.f64)
    assert b.dtype is dfdx.f64 and b.numpy().dtype == np.float64 and b.shape == a.shape
    np.testing.assert_array_equal(b.numpy(), a.numpy().astype(np.float64))
    np.testing.assert_array_equal(b.to_dtype(dfdx.f32).numpy(), a.numpy())  # exact
    c = dev.tensor(x, dtype=dfdx.f64).to_dtype(dfdx.f32)  # rounds like numpy and torch
    np.testing.assert_array_equal(c.numpy(), x.astype(np.float32))
    np.testing.assert_array_equal(c.numpy(), torch.from_numpy(x).to(torch.float32).numpy())


@settings(max_examples=10)
@given(x=float_arrays(low=-50.0, high=50.0))
def test_float_to_i64_truncates_toward_zero_like_torch(dev, x):
    for dtype, tdtype in ((dfdx.f32, torch.float32), (dfdx.f64, torch.float64)):
        got = dev.tensor(x, dtype=dtype).to_dtype(dfdx.i64)
        assert got.dtype is dfdx.i64 and got.numpy().dtype == np.int64
        want = torch.from_numpy(x).to(tdtype).to(torch.int64).numpy()
        np.testing.assert_array_equal(got.numpy(), want)


def test_int_and_bool_conversions(dev):
    x = dev.tensor([-2.7, -0.5, 0.0, 0.5, 2.7])
    assert x.to_dtype(dfdx.i64).numpy().tolist() == [-2, 0, 0, 0, 2]
    assert x.to_dtype(dfdx.bool_).numpy().tolist() == [True, True, False, True, True]
    assert dev.tensor([math.nan]).to_dtype(dfdx.bool_).numpy().tolist() == [True]  # as torch
    i = dev.tensor([3, 0, -1])
    assert i.to_dtype(dfdx.f32).numpy().tolist() == [3.0, 0.0, -1.0]
    assert i.to_dtype(dfdx.f32).numpy().dtype == np.float32
    assert i.to_dtype(dfdx.f64).numpy().dtype == np.float64
    assert i.to_dtype(dfdx.bool_).numpy().tolist() == [True, False, True]
    b = dev.tensor([True, False])
    assert b.dtype is dfdx.bool_
    assert b.to_dtype(dfdx.f32).numpy().tolist() == [1.0, 0.0]
    assert b.to_dtype(dfdx.i64).numpy().tolist() == [1, 0]
    assert b.to_dtype(dfdx.i64).dtype is dfdx.i64


def test_half_precision(dev):
    x = dev.tensor([1.0, 2.5, -3.25])
    h = x.to_dtype(dfdx.f16)
    assert h.dtype is dfdx.f16 and h.numpy().dtype == np.float16
    bf = x.to_dtype(dfdx.bf16)
    assert bf.dtype is dfdx.bf16 and bf.numpy().dtype == ml_dtypes.bfloat16
    assert bf.to_dtype(dfdx.f32).numpy().tolist() == [1.0, 2.5, -3.25]
    assert h.to_dtype(dfdx.f64).numpy().tolist() == [1.0, 2.5, -3.25]


def test_name_accepted(dev):
    assert dev.tensor([1.0]).to_dtype("f64").dtype is dfdx.f64


def test_gradient_f32_to_f64(dev):
    x = dev.tensor([1.0, 2.0, 3.0])
    grads = dfdx.Gradients()
    y = x.trace(grads).to_dtype(dfdx.f64)
    assert y.is_traced and y.dtype is dfdx.f64
    y.sum().backward()
    g = grads.get(x)
    assert g.dtype is dfdx.f32 and g.numpy().dtype == np.float32
    assert g.numpy().tolist() == [1.0, 1.0, 1.0]


def test_gradient_through_f64_to_f32_and_ops(dev):
    values = np.array([0.5, -1.25, 2.0])
    x = dev.tensor(values, dtype=dfdx.f64)
    grads = dfdx.Gradients()
    (x.trace(grads).to_dtype(dfdx.f32).square() * 3.0).sum().backward()
    g = grads.get(x)
    assert g.dtype is dfdx.f64 and g.numpy().dtype == np.float64
    np.testing.assert_array_equal(g.numpy(), 6.0 * values)


def test_no_gradient_crosses_an_integer_dtype(dev):
    x = dev.tensor([1.5, 2.5])
    grads = dfdx.Gradients()
    xt = x.trace(grads)
    ints = xt.to_dtype(dfdx.i64)
    assert ints.is_traced and xt.to_dtype(dfdx.bool_).is_traced  # they keep the tape
    loss = (ints.to_dtype(dfdx.f32) * xt).sum()  # d/dx (int(x) * x) = int(x) only
    loss.backward()
    np.testing.assert_allclose(grads.get(x).numpy(), [1.0, 2.0])


def test_errors(dev):
    with pytest.raises(dfdx.DTypeError):
        dev.tensor([1.0]).to_dtype(np.float64)
    with pytest.raises(dfdx.DTypeError):
        dev.tensor([1.0]).to_dtype("float")
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match="to_dtype: cannot convert NaN or infinite"):
            dev.tensor([1.0, bad]).to_dtype(dfdx.i64)
