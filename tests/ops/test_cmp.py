import operator

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import dfdx_py as dfdx
from dfdx_py import ops
from tests.checks import arrays_of, check_op, float_arrays, shapes

# name, numpy ufunc, torch function, Python operator
CMPS = [
    ("eq", np.equal, torch.eq, operator.eq),
    ("ne", np.not_equal, torch.ne, operator.ne),
    ("gt", np.greater, torch.gt, operator.gt),
    ("ge", np.greater_equal, torch.ge, operator.ge),
    ("lt", np.less, torch.lt, operator.lt),
    ("le", np.less_equal, torch.le, operator.le),
]
PARAMS = [pytest.param(*c, id=c[0]) for c in CMPS]
ORDERING = [p for p in PARAMS if p.id not in ("eq", "ne")]


class OtherDevice(dfdx.Cpu):
    kind = "other"


def with_ties(a, b, seed):
    """``b`` with about a third of its entries copied from ``a`` (so eq, ge, le see ties)."""
    mask = np.random.default_rng(seed).random(a.shape) < 1 / 3
    return np.where(mask, a, b)


@pytest.mark.parametrize(("name", "np_op", "torch_op", "py_op"), PARAMS)
@given(shape=shapes(), seed=st.integers(0, 1000))
def test_tensor_tensor(dev, name, np_op, torch_op, py_op, shape, seed):
    a = arrays_of(shape, seed)
    b = with_ties(a, arrays_of(shape, seed + 1), seed + 2)
    fn = getattr(ops, name)
    check_op(dev, fn, [a, b], np_fn=np_op, torch_fn=torch_op, grad=False)
    check_op(dev, py_op, [a, b], np_fn=np_op, torch_fn=torch_op, grad=False)
    check_op(dev, lambda x, y: getattr(x, name)(y), [a, b], np_fn=np_op, grad=False)
    assert fn(dev.tensor(a), dev.tensor(b)).dtype is dfdx.bool_


@pytest.mark.parametrize(("name", "np_op", "torch_op", "py_op"), PARAMS)
@settings(max_examples=10)
@given(x=float_arrays(), s=st.sampled_from([0.0, 0.5, -1, 3]))
def test_scalar(dev, name, np_op, torch_op, py_op, x, s):
    x = np.where(x > 1, s, x)  # some elements equal to the scalar
    check_op(
        dev,
        lambda t: py_op(t, s),
        [x],
        np_fn=lambda a: np_op(a, s),
        torch_fn=lambda t: torch_op(t, s),
        grad=False,
    )


@pytest.mark.parametrize(("name", "np_op", "torch_op", "py_op"), PARAMS)
def test_reflected_scalar(dev, name, np_op, torch_op, py_op):
    x = np.array([-1.0, 0.5, 2.0])
    # 0.5 < t is t > 0.5: Python reflects the comparison
    got = py_op(0.5, dev.tensor(x)).numpy()
    np.testing.assert_array_equal(got, py_op(0.5, x))


@pytest.mark.parametrize(("name", "np_op", "torch_op", "py_op"), PARAMS)
def test_nan_as_numpy(dev, name, np_op, torch_op, py_op):
    a = np.array([np.nan, 1.0, np.nan, 2.0, np.inf])
    b = np.array([np.nan, np.nan, 1.0, 2.0, np.inf])
    fn = getattr(ops, name)
    for dtype in (dfdx.f32, dfdx.f64):
        got = fn(dev.tensor(a, dtype=dtype), dev.tensor(b, dtype=dtype)).numpy()
        np.testing.assert_array_equal(got, np_op(a, b))
        np.testing.assert_array_equal(got, torch_op(torch.tensor(a), torch.tensor(b)).numpy())
        np.testing.assert_array_equal(
            fn(dev.tensor(a, dtype=dtype), np.nan).numpy(), np_op(a, np.nan)
        )
    assert fn(dev.tensor(a), float("nan")).numpy().tolist() == [name == "ne"] * 5


def test_values(dev):
    a = dev.tensor([1.0, 2.0, 3.0])
    b = dev.tensor([3.0, 2.0, 1.0])
    assert (a == b).numpy().tolist() == [False, True, False]
    assert (a != b).numpy().tolist() == [True, False, True]
    assert (a > b).numpy().tolist() == [False, False, True]
    assert (a >= b).numpy().tolist() == [False, True, True]
    assert (a < b).numpy().tolist() == [True, False, False]
    assert (a <= b).numpy().tolist() == [True, True, False]
    assert a.eq(2.0).numpy().tolist() == [False, True, False]
    assert a.ge(2).numpy().tolist() == [False, True, True]
    assert (a == b).shape == (3,)


def test_rank0(dev):
    x = dev.tensor(2.0)
    out = x > 1.0
    assert out.shape == () and out.dtype is dfdx.bool_ and out.item() is True


def test_f32_scalar_rounds_to_f32(dev):
    # as in NumPy, PyTorch and dfdx, the scalar takes the tensor's dtype
    x = dev.tensor([0.1], dtype=dfdx.f32)
    assert (x == 0.1).numpy().tolist() == [True]
    assert torch.eq(torch.tensor([0.1], dtype=torch.float32), 0.1).tolist() == [True]
    assert (dev.tensor([0.1], dtype=dfdx.f64) == 0.1).numpy().tolist() == [True]


def test_i64(dev):
    a = dev.tensor([1, 2, 3, -4])
    b = dev.tensor([3, 2, 1, -4])
    for name, np_op, _, py_op in CMPS:
        want = np_op(np.array([1, 2, 3, -4]), np.array([3, 2, 1, -4]))
        np.testing.assert_array_equal(py_op(a, b).numpy(), want)
        np.testing.assert_array_equal(getattr(ops, name)(a, 2).numpy(), np_op(a.numpy(), 2))
    # a float scalar compares exactly with integers (no rounding of the scalar)
    assert (a > 1.5).numpy().tolist() == [False, True, True, False]
    assert (a == 2.0).numpy().tolist() == [False, True, False, False]
    assert (a == 2.5).numpy().tolist() == [False] * 4
    big = dev.tensor([2**62 + 1])
    assert (big == 2**62 + 1).numpy().tolist() == [True]
    assert (big != dev.tensor([2**62])).numpy().tolist() == [True]


def test_bool_eq_ne(dev):
    a = dev.tensor([True, False, True])
    b = dev.tensor([True, True, False])
    assert (a == b).numpy().tolist() == [True, False, False]
    assert (a != b).numpy().tolist() == [False, True, True]
    assert (a == True).numpy().tolist() == [True, False, True]  # noqa: E712
    assert a.ne(False).numpy().tolist() == [True, False, True]
    assert (a == b).dtype is dfdx.bool_


@pytest.mark.parametrize("name", ["gt", "ge", "lt", "le"])
def test_bool_ordering_is_an_error(dev, name):
    a = dev.tensor([True, False])
    with pytest.raises(dfdx.DTypeError, match=f"{name}: not defined for bool_ tensors"):
        getattr(ops, name)(a, a)


def test_bool_tensor_needs_bool_scalar(dev):
    with pytest.raises(dfdx.DTypeError, match="eq: a bool_ tensor compares with a bool"):
        _ = dev.tensor([True]) == 1
    with pytest.raises(dfdx.DTypeError, match="eq: expected a tensor or a Python number"):
        _ = dev.tensor([1.0]) == True  # noqa: E712


def test_output_is_never_traced(dev):
    x = dev.tensor([1.0, -2.0])
    grads = dfdx.Gradients()
    xt = x.trace(grads)
    for name, *_ in CMPS:
        assert not getattr(ops, name)(xt, xt).is_traced
        assert not getattr(ops, name)(xt, 0.0).is_traced
    # a mask from a traced tensor gates the gradient of the ops that use it
    ops.choose(xt > 0, xt, 0.0).sum().backward()
    assert grads.get(x).numpy().tolist() == [1.0, 0.0]


@pytest.mark.parametrize(("name", "np_op", "torch_op", "py_op"), PARAMS)
def test_errors(dev, name, np_op, torch_op, py_op):
    fn = getattr(ops, name)
    with pytest.raises(dfdx.ShapeError, match=rf"{name}: shapes differ: \(3, 1\) vs \(3,\)"):
        fn(dev.zeros((3, 1)), dev.zeros((3,)))
    with pytest.raises(dfdx.ShapeError, match=rf"{name}: shapes differ: \(2,\) vs \(\)"):
        py_op(dev.zeros((2,)), dev.zeros(()))
    with pytest.raises(dfdx.DTypeError, match=f"{name}: dtypes differ: f32 and f64"):
        fn(dev.zeros((2,)), dev.zeros((2,), dtype=dfdx.f64))
    with pytest.raises(dfdx.DTypeError, match=f"{name}: dtypes differ: i64 and f32"):
        fn(dev.tensor([1, 2]), dev.zeros((2,)))
    with pytest.raises(dfdx.DTypeError, match=f"{name}: expected a tensor or a Python number"):
        fn(dev.zeros((2,)), "a")
    with pytest.raises(dfdx.DTypeError, match=f"{name}: the first operand must be a tensor"):
        fn(1.0, dev.zeros((2,)))
    with pytest.raises(dfdx.DeviceError, match=f"{name}: tensors on different devices"):
        fn(dev.zeros((2,)), OtherDevice().zeros((2,)))


@pytest.mark.parametrize("dtype", [dfdx.f16, dfdx.bf16], ids=["f16", "bf16"])
def test_half_dtypes_scalar_in_tensor_dtype(dev, dtype):
    x = dev.tensor([0.1, 1.0], dtype=dtype)  # 0.1 rounded to the dtype
    assert (x == 0.1).numpy().tolist() == [True, False]
    assert (x > 0.1).numpy().tolist() == [False, True]
    assert (x == x).dtype is dfdx.bool_
