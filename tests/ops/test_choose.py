import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import dfdx_py as dfdx
from dfdx_py.ops import choose
from tests.checks import arrays_of, check_op, shapes


class OtherDevice(dfdx.Cpu):
    kind = "other"


def bools(shape, seed):
    return np.asarray(np.random.default_rng(seed).random(shape) < 0.5)


@given(shape=shapes(), seed=st.integers(0, 1000))
def test_choose(dev, shape, seed):
    cond = bools(shape, seed)
    a, b = arrays_of(shape, seed + 1), arrays_of(shape, seed + 2)
    check_op(dev, choose, [cond, a, b], np_fn=np.where, torch_fn=torch.where)


@given(shape=shapes(), seed=st.integers(0, 1000))
def test_choose_scalar_operand(dev, shape, seed):
    cond = bools(shape, seed)
    x = arrays_of(shape, seed + 1)
    check_op(
        dev,
        lambda c, t: choose(c, t, 0.5),
        [cond, x],
        np_fn=lambda c, t: np.where(c, t, t.dtype.type(0.5)),
        torch_fn=lambda c, t: torch.where(c, t, 0.5),
    )
    check_op(
        dev,
        lambda c, t: choose(c, -2, t),
        [cond, x],
        np_fn=lambda c, t: np.where(c, t.dtype.type(-2), t),
        torch_fn=lambda c, t: torch.where(c, -2.0, t),
    )


def test_values_and_dtype(dev):
    cond = dev.tensor([True, False, True])
    a, b = dev.tensor([1.0, 2.0, 3.0]), dev.tensor([10.0, 20.0, 30.0])
    out = choose(cond, a, b)
    assert out.numpy().tolist() == [1.0, 20.0, 3.0]
    assert out.dtype is dfdx.f32
    assert choose(cond, a, 0.0).numpy().tolist() == [1.0, 0.0, 3.0]
    assert choose(cond, -1.0, b).numpy().tolist() == [-1.0, 20.0, -1.0]
    assert choose(cond, a, 0.1).dtype is dfdx.f32
    x = dev.tensor([-1.0, 2.0, -3.0])
    np.testing.assert_allclose(choose(x > 0, x, x * 0.1).numpy(), [-0.1, 2.0, -0.3], rtol=1e-6)


def test_f64_and_f32_exact(dev):
    cond_np = np.array([True, False, True, False])
    for np_dtype, dtype in ((np.float32, dfdx.f32), (np.float64, dfdx.f64)):
        a = np.array([0.1, 0.2, 0.3, 0.4], dtype=np_dtype)
        b = np.array([1e-8, 1e8, -0.7, 3.3], dtype=np_dtype)
        out = choose(dev.tensor(cond_np), dev.tensor(a), dev.tensor(b))
        assert out.dtype is dtype
        got = out.numpy()
        assert got.dtype == np_dtype
        np.testing.assert_array_equal(got, np.where(cond_np, a, b))
        got = choose(dev.tensor(cond_np), dev.tensor(a), 0.1).numpy()
        assert got.dtype == np_dtype
        np.testing.assert_array_equal(got, np.where(cond_np, a, np_dtype(0.1)))


def test_gradients_exact(dev):
    cond = dev.tensor([[True, False], [False, True]])
    a = dev.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=dfdx.f64)
    b = dev.tensor([[5.0, 6.0], [7.0, 8.0]], dtype=dfdx.f64)
    w = dev.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    (choose(cond, a.trace(grads), b.trace(grads)) * w).sum().backward()
    assert grads.get(a).numpy().tolist() == [[1.0, 0.0], [0.0, 4.0]]
    assert grads.get(b).numpy().tolist() == [[0.0, 2.0], [3.0, 0.0]]


def test_gradients_one_side_traced(dev):
    cond = dev.tensor([True, False, False])
    a, b = dev.tensor([1.0, 2.0, 3.0]), dev.tensor([4.0, 5.0, 6.0])
    grads = dfdx.Gradients()
    (choose(cond, a, b.trace(grads)) * 2.0).sum().backward()
    assert grads.get(b).numpy().tolist() == [0.0, 2.0, 2.0]
    grads = dfdx.Gradients()
    out = choose(cond, a.trace(grads), 7.0)
    assert out.is_traced
    out.sum().backward()
    assert grads.get(a).numpy().tolist() == [1.0, 0.0, 0.0]


def test_same_input_on_both_sides(dev):
    x = dev.tensor([1.0, -2.0, 3.0], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    xt = x.trace(grads)
    (choose(x > 0, xt, xt * 3.0)).sum().backward()
    assert grads.get(x).numpy().tolist() == [1.0, 3.0, 1.0]


def test_untraced_stays_untraced(dev):
    cond = dev.tensor([True])
    assert not choose(cond, dev.ones((1,)), dev.zeros((1,))).is_traced


def test_i64_and_bool(dev):
    cond = dev.tensor([True, False, True])
    a, b = dev.tensor([1, 2, 3]), dev.tensor([-1, -2, -3])
    out = choose(cond, a, b)
    assert out.dtype is dfdx.i64
    assert out.numpy().tolist() == [1, -2, 3]
    assert choose(cond, a, 0).numpy().tolist() == [1, 0, 3]
    assert choose(cond, a, 0).dtype is dfdx.i64
    with pytest.raises(dfdx.DTypeError, match=r"choose: float scalar 0\.5 with a i64 tensor"):
        choose(cond, a, 0.5)
    flags = choose(cond, dev.tensor([False] * 3), True)
    assert flags.dtype is dfdx.bool_
    assert flags.numpy().tolist() == [False, True, False]


def test_cond_must_be_bool(dev):
    a = dev.zeros((2,))
    with pytest.raises(dfdx.DTypeError, match="choose: cond must be a bool_ tensor, got f32"):
        choose(a, a, a)
    with pytest.raises(dfdx.DTypeError, match="choose: cond must be a bool_ tensor, got i64"):
        choose(dev.tensor([1, 0]), a, a)
    with pytest.raises(dfdx.DTypeError, match="choose: cond must be a bool_ tensor, got bool"):
        choose(True, a, a)


def test_shape_errors(dev):
    cond = dev.tensor([[True], [False], [True]])  # (3, 1)
    with pytest.raises(dfdx.ShapeError, match=r"choose: shapes differ: \(3, 1\) vs \(3,\)"):
        choose(cond, dev.zeros((3,)), dev.zeros((3, 1)))
    with pytest.raises(dfdx.ShapeError, match=r"choose: shapes differ: \(3, 1\) vs \(1, 3\).*b"):
        choose(cond, dev.zeros((3, 1)), dev.zeros((1, 3)))
    with pytest.raises(dfdx.ShapeError, match=r"choose: shapes differ: \(3, 1\) vs \(3,\)"):
        choose(cond, 0.0, dev.zeros((3,)))


def test_dtype_and_device_errors(dev):
    cond = dev.tensor([True, False])
    with pytest.raises(dfdx.DTypeError, match="choose: dtypes differ: a is f32, b is f64"):
        choose(cond, dev.zeros((2,)), dev.zeros((2,), dtype=dfdx.f64))
    with pytest.raises(dfdx.DTypeError, match="choose: a or b must be a tensor"):
        choose(cond, 1.0, 0.0)
    with pytest.raises(dfdx.DTypeError, match="choose: expected a tensor or a Python number"):
        choose(cond, dev.zeros((2,)), "x")
    with pytest.raises(dfdx.DeviceError, match="choose: tensors on different devices"):
        choose(cond, dev.zeros((2,)), OtherDevice().zeros((2,)))
    with pytest.raises(dfdx.DeviceError, match="choose: tensors on different devices"):
        choose(OtherDevice().full((2,), True, dtype=dfdx.bool_), dev.zeros((2,)), 0.0)


@pytest.mark.parametrize("dtype", [dfdx.f16, dfdx.bf16], ids=["f16", "bf16"])
def test_half_dtypes_kept(dev, dtype):
    cond = dev.tensor([True, False, True])
    a = dev.tensor([1.0, 2.0, 0.1], dtype=dtype)
    for b in (dev.zeros((3,), dtype=dtype), 0.1):
        grads = dfdx.Gradients()
        out = choose(cond, a.trace(grads), b)
        assert out.numpy().dtype == dtype.numpy
        out.sum().backward()
        assert grads.get(a).numpy().dtype == dtype.numpy
        assert grads.get(a).numpy().tolist() == [1.0, 0.0, 1.0]
