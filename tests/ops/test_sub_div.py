import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import dfdx_py as dfdx
from dfdx_py import ops
from tests.checks import arrays_of, check_op, float_arrays, shapes


class OtherDevice(dfdx.Cpu):
    """A second device kind (numpy storage), to provoke DeviceError without a GPU."""

    kind = "other"


def away_from_zero(shape, seed):
    """Values with |v| in [0.5, 2): safe divisors for finite differences."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


# -- sub ------------------------------------------------------------------------------------


@given(shape=shapes(), seed=st.integers(0, 1000))
def test_sub(dev, shape, seed):
    a, b = arrays_of(shape, seed), arrays_of(shape, seed + 1)
    check_op(dev, lambda x, y: x - y, [a, b], np_fn=np.subtract, torch_fn=torch.sub)


@settings(max_examples=10)
@given(x=float_arrays())
def test_sub_scalar(dev, x):
    check_op(dev, lambda t: t - 2.5, [x], np_fn=lambda a: a - 2.5, torch_fn=lambda t: t - 2.5)
    check_op(dev, lambda t: ops.sub(t, -1), [x], np_fn=lambda a: a + 1, torch_fn=lambda t: t + 1)


def test_rsub(dev):
    x = np.array([1.0, -2.0, 3.5])
    check_op(dev, lambda t: 2.5 - t, [x], np_fn=lambda a: 2.5 - a, torch_fn=lambda t: 2.5 - t)


def test_sub_values(dev):
    a = dev.tensor([[5.0, 7.0], [1.0, -1.0]])
    b = dev.tensor([[1.0, 2.0], [3.0, -4.0]])
    assert (a - b).numpy().tolist() == [[4.0, 5.0], [-2.0, 3.0]]
    assert (a - 1).numpy().tolist() == [[4.0, 6.0], [0.0, -2.0]]
    assert (a - b).dtype is dfdx.f32


def test_sub_gradients_exact(dev):
    a, b = dev.tensor([1.0, 2.0, 3.0]), dev.tensor([4.0, 5.0, 6.0])
    grads = dfdx.Gradients()
    loss = ((a.trace(grads) - b.trace(grads)) * dev.tensor([1.0, 2.0, 3.0])).sum()
    loss.backward()
    assert grads.get(a).numpy().tolist() == [1.0, 2.0, 3.0]
    assert grads.get(b).numpy().tolist() == [-1.0, -2.0, -3.0]


def test_sub_never_broadcasts(dev):
    with pytest.raises(dfdx.ShapeError, match=r"sub: shapes differ: \(3, 1\) vs \(3,\)"):
        dev.zeros((3, 1)) - dev.zeros((3,))
    with pytest.raises(dfdx.ShapeError, match=r"sub: shapes differ: \(2, 3\) vs \(3, 2\)"):
        dev.zeros((2, 3)) - dev.zeros((3, 2))


def test_sub_i64(dev):
    x = dev.tensor([1, 5, -3])
    y = dev.tensor([2, 2, 2])
    assert (x - y).numpy().tolist() == [-1, 3, -5]
    assert (x - y).dtype is dfdx.i64
    assert (x - 1).numpy().tolist() == [0, 4, -4]
    assert (x - 1).dtype is dfdx.i64
    assert (x - 2.0).numpy().tolist() == [-1, 3, -5]  # an integral float is fine
    with pytest.raises(dfdx.DTypeError, match=r"sub: float scalar 0\.5 with a i64 tensor"):
        x - 0.5


def test_sub_dtype_errors(dev):
    with pytest.raises(dfdx.DTypeError, match="sub: dtypes differ: f32 and f64"):
        dev.zeros((2,)) - dev.zeros((2,), dtype=dfdx.f64)
    with pytest.raises(dfdx.DTypeError, match="sub: dtypes differ: i64 and f32"):
        dev.tensor([1, 2]) - dev.zeros((2,))
    with pytest.raises(dfdx.DTypeError, match="sub: not defined for bool_"):
        dev.tensor([True, False]) - dev.tensor([True, True])
    with pytest.raises(dfdx.DTypeError, match="sub: expected a tensor or a Python number"):
        dev.zeros((2,)) - "1"


def test_sub_devices(dev):
    with pytest.raises(dfdx.DeviceError, match="sub: tensors on different devices"):
        dev.zeros((2,)) - OtherDevice().zeros((2,))


def test_sub_f32_exact(dev):
    a = np.array([0.1, 1e8, -3.3], dtype=np.float32)
    b = np.array([0.2, 1.0, 7.7], dtype=np.float32)
    got = (dev.tensor(a) - dev.tensor(b)).numpy()
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, a - b)
    np.testing.assert_array_equal((dev.tensor(a) - 0.1).numpy(), a - np.float32(0.1))


# -- div ------------------------------------------------------------------------------------


@given(shape=shapes(), seed=st.integers(0, 1000))
def test_div(dev, shape, seed):
    a, b = arrays_of(shape, seed), away_from_zero(shape, seed + 1)
    check_op(dev, lambda x, y: x / y, [a, b], np_fn=np.divide, torch_fn=torch.div)


@settings(max_examples=10)
@given(x=float_arrays())
def test_div_scalar(dev, x):
    check_op(dev, lambda t: t / 2.5, [x], np_fn=lambda a: a / 2.5, torch_fn=lambda t: t / 2.5)
    check_op(dev, lambda t: ops.div(t, -3), [x], np_fn=lambda a: a / -3, torch_fn=lambda t: t / -3)


def test_rdiv(dev):
    x = np.array([1.0, -2.0, 3.5])
    check_op(dev, lambda t: 2.0 / t, [x], np_fn=lambda a: 2.0 / a, torch_fn=lambda t: 2.0 / t)


def test_div_values_and_gradients(dev):
    a, b = dev.tensor([1.0, 3.0, -2.0]), dev.tensor([2.0, 4.0, 0.5])
    assert (a / b).numpy().tolist() == [0.5, 0.75, -4.0]
    assert (a / 2).numpy().tolist() == [0.5, 1.5, -1.0]
    grads = dfdx.Gradients()
    (a.trace(grads) / b.trace(grads)).sum().backward()
    assert grads.get(a).numpy().tolist() == [0.5, 0.25, 2.0]  # 1 / b
    assert grads.get(b).numpy().tolist() == [-0.25, -0.1875, 8.0]  # -a / b²
    grads = dfdx.Gradients()
    (a.trace(grads) / 4.0).sum().backward()
    assert grads.get(a).numpy().tolist() == [0.25, 0.25, 0.25]


def test_div_f32_exact(dev):
    a = np.array([0.1, 1e8, -3.3], dtype=np.float32)
    b = np.array([0.3, 7.0, 7.7], dtype=np.float32)
    got = (dev.tensor(a) / dev.tensor(b)).numpy()
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, a / b)
    np.testing.assert_array_equal((dev.tensor(a) / 0.3).numpy(), a / np.float32(0.3))


def test_div_by_zero_like_torch(dev):
    a = np.array([1.0, -1.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = (dev.tensor(a, dtype=dfdx.f64) / dev.zeros((3,), dtype=dfdx.f64)).numpy()
        got_scalar = (dev.tensor(a, dtype=dfdx.f64) / 0.0).numpy()
    want = (torch.tensor(a) / torch.zeros(3, dtype=torch.float64)).numpy()
    np.testing.assert_array_equal(got, want)  # inf, -inf, nan
    np.testing.assert_array_equal(got_scalar, want)


def test_div_never_broadcasts(dev):
    with pytest.raises(dfdx.ShapeError, match=r"div: shapes differ: \(3, 1\) vs \(3,\)"):
        dev.ones((3, 1)) / dev.ones((3,))


def test_div_i64_is_an_error(dev):
    x = dev.tensor([4, 6])
    with pytest.raises(dfdx.DTypeError, match="div: not defined for i64 tensors"):
        x / x
    with pytest.raises(dfdx.DTypeError, match="div: not defined for i64 tensors"):
        x / 2


def test_div_dtype_errors(dev):
    with pytest.raises(dfdx.DTypeError, match="div: dtypes differ: f32 and f64"):
        dev.ones((2,)) / dev.ones((2,), dtype=dfdx.f64)
    with pytest.raises(dfdx.DTypeError, match="div: expected a tensor or a Python number"):
        dev.ones((2,)) / None
    with pytest.raises(dfdx.DeviceError, match="div: tensors on different devices"):
        dev.ones((2,)) / OtherDevice().ones((2,))


@pytest.mark.parametrize("dtype", [dfdx.f16, dfdx.bf16], ids=["f16", "bf16"])
def test_half_dtypes_kept(dev, dtype):
    """A Python scalar takes the tensor's dtype (NEP 50, PyTorch): no promotion to f32."""
    x = dev.tensor([1.0, 2.0, 0.1], dtype=dtype)
    y = dev.tensor([3.0, 2.0, 1.0], dtype=dtype)
    for fn in (lambda a: a - y, lambda a: a - 0.1, lambda a: a / y, lambda a: a / 3.0):
        grads = dfdx.Gradients()
        out = fn(x.trace(grads))
        assert out.numpy().dtype == dtype.numpy
        out.sum().backward()
        assert grads.get(x).numpy().dtype == dtype.numpy
    want = (
        torch.tensor([1.0, 2.0, 0.1]).to(torch.bfloat16 if dtype is dfdx.bf16 else torch.float16)
        - 0.1
    )
    np.testing.assert_array_equal((x - 0.1).numpy().astype(np.float64), want.double().numpy())
