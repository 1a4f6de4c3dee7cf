import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import dfdx_py as dfdx
from dfdx_py.ops import maximum, minimum
from tests.checks import arrays_of, check_op, float_arrays, shapes

OPS = [
    pytest.param(maximum, np.maximum, torch.maximum, id="maximum"),
    pytest.param(minimum, np.minimum, torch.minimum, id="minimum"),
]


class OtherDevice(dfdx.Cpu):
    kind = "other"


def scalar_torch(torch_op, s):
    return lambda t: torch_op(t, torch.tensor(s, dtype=t.dtype))


@pytest.mark.parametrize(("op", "np_op", "torch_op"), OPS)
@given(shape=shapes(), seed=st.integers(0, 1000))
def test_tensor_tensor(dev, op, np_op, torch_op, shape, seed):
    # independent normal draws: no ties, so finite differences see a smooth function
    a, b = arrays_of(shape, seed), arrays_of(shape, seed + 1)
    check_op(dev, op, [a, b], np_fn=np_op, torch_fn=torch_op)


@pytest.mark.parametrize(("op", "np_op", "torch_op"), OPS)
@settings(max_examples=10)
@given(x=float_arrays())
def test_scalar(dev, op, np_op, torch_op, x):
    s = 0.25  # a draw from a normal hits 0.25 exactly with probability 0
    check_op(
        dev,
        lambda t: op(t, s),
        [x],
        np_fn=lambda a: np_op(a, s),
        torch_fn=scalar_torch(torch_op, s),
    )


def test_values(dev):
    a, b = dev.tensor([1.0, 5.0, -2.0]), dev.tensor([3.0, 2.0, -2.0])
    assert maximum(a, b).numpy().tolist() == [3.0, 5.0, -2.0]
    assert minimum(a, b).numpy().tolist() == [1.0, 2.0, -2.0]
    assert maximum(a, 0.0).numpy().tolist() == [1.0, 5.0, 0.0]
    assert minimum(a, 0).numpy().tolist() == [0.0, 0.0, -2.0]
    assert maximum(a, b).dtype is dfdx.f32


@pytest.mark.parametrize(("op", "np_op", "torch_op"), OPS)
def test_tie_gradients_split_half(dev, op, np_op, torch_op):
    a_np = np.array([1.0, 2.0, 3.0, -1.0])
    b_np = np.array([1.0, 0.0, 4.0, -1.0])  # ties at 0 and 3
    w = np.array([1.0, 2.0, 3.0, 4.0])
    a, b = dev.tensor(a_np, dtype=dfdx.f64), dev.tensor(b_np, dtype=dfdx.f64)
    grads = dfdx.Gradients()
    (op(a.trace(grads), b.trace(grads)) * dev.tensor(w, dtype=dfdx.f64)).sum().backward()
    if op is maximum:
        want_a, want_b = [0.5, 2.0, 0.0, 2.0], [0.5, 0.0, 3.0, 2.0]
    else:
        want_a, want_b = [0.5, 0.0, 3.0, 2.0], [0.5, 2.0, 0.0, 2.0]
    assert grads.get(a).numpy().tolist() == want_a
    assert grads.get(b).numpy().tolist() == want_b
    ta = torch.tensor(a_np, requires_grad=True)
    tb = torch.tensor(b_np, requires_grad=True)
    (torch_op(ta, tb) * torch.tensor(w)).sum().backward()
    assert ta.grad.tolist() == want_a
    assert tb.grad.tolist() == want_b


@pytest.mark.parametrize(("op", "np_op", "torch_op"), OPS)
def test_scalar_tie_gradient_is_half(dev, op, np_op, torch_op):
    x = dev.tensor([0.0, 1.0, -1.0], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    op(x.trace(grads), 0.0).sum().backward()
    want = [0.5, 1.0, 0.0] if op is maximum else [0.5, 0.0, 1.0]
    assert grads.get(x).numpy().tolist() == want


@pytest.mark.parametrize(("op", "np_op", "torch_op"), OPS)
def test_only_one_traced(dev, op, np_op, torch_op):
    a, b = dev.tensor([1.0, 5.0]), dev.tensor([3.0, 2.0])
    grads = dfdx.Gradients()
    op(a, b.trace(grads)).sum().backward()
    assert grads.get(b).numpy().tolist() == ([1.0, 0.0] if op is maximum else [0.0, 1.0])


def test_nan_propagates(dev):
    a = np.array([np.nan, 1.0, np.nan])
    b = np.array([0.0, np.nan, np.nan])
    for op, np_op, torch_op in (
        (maximum, np.maximum, torch.maximum),
        (minimum, np.minimum, torch.minimum),
    ):
        got = op(dev.tensor(a), dev.tensor(b)).numpy()
        np.testing.assert_array_equal(got, np_op(a, b).astype(np.float32))
        np.testing.assert_array_equal(got, torch_op(torch.tensor(a), torch.tensor(b)).float())
        assert np.isnan(op(dev.tensor(a), 0.0).numpy()[0])


def test_i64(dev):
    a, b = dev.tensor([1, 7, -3]), dev.tensor([4, 2, -3])
    assert maximum(a, b).numpy().tolist() == [4, 7, -3]
    assert minimum(a, b).numpy().tolist() == [1, 2, -3]
    assert maximum(a, b).dtype is dfdx.i64
    assert maximum(a, 0).numpy().tolist() == [1, 7, 0]
    assert minimum(a, 0).dtype is dfdx.i64
    with pytest.raises(dfdx.DTypeError, match=r"maximum: float scalar 0\.5 with a i64 tensor"):
        maximum(a, 0.5)


def test_f32_exact(dev):
    a = np.array([0.1, 1e-8, -3.3], dtype=np.float32)
    b = np.array([0.2, 1e-9, -3.4], dtype=np.float32)
    got = maximum(dev.tensor(a), dev.tensor(b)).numpy()
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, np.maximum(a, b))
    np.testing.assert_array_equal(
        minimum(dev.tensor(a), 0.1).numpy(), np.minimum(a, np.float32(0.1))
    )


@pytest.mark.parametrize("op", [maximum, minimum], ids=["maximum", "minimum"])
def test_errors(dev, op):
    name = op.__name__
    with pytest.raises(dfdx.ShapeError, match=rf"{name}: shapes differ: \(3, 1\) vs \(3,\)"):
        op(dev.zeros((3, 1)), dev.zeros((3,)))
    with pytest.raises(dfdx.DTypeError, match=f"{name}: dtypes differ: f32 and f64"):
        op(dev.zeros((2,)), dev.zeros((2,), dtype=dfdx.f64))
    with pytest.raises(dfdx.DTypeError, match=f"{name}: not defined for bool_"):
        op(dev.tensor([True]), dev.tensor([False]))
    with pytest.raises(dfdx.DTypeError, match=f"{name}: the first operand must be a tensor"):
        op(1.0, dev.zeros((2,)))
    with pytest.raises(dfdx.DTypeError, match=f"{name}: expected a tensor or a Python number"):
        op(dev.zeros((2,)), [1.0, 2.0])
    with pytest.raises(dfdx.DeviceError, match=f"{name}: tensors on different devices"):
        op(dev.zeros((2,)), OtherDevice().zeros((2,)))


@pytest.mark.parametrize("dtype", [dfdx.f16, dfdx.bf16], ids=["f16", "bf16"])
@pytest.mark.parametrize("op", [maximum, minimum], ids=["maximum", "minimum"])
def test_half_dtypes_kept(dev, op, dtype):
    x = dev.tensor([1.0, 2.0, 0.1], dtype=dtype)
    y = dev.tensor([3.0, 2.0, 1.0], dtype=dtype)
    for other in (y, 0.1):
        grads = dfdx.Gradients()
        out = op(x.trace(grads), other)
        assert out.numpy().dtype == dtype.numpy
        out.sum().backward()
        g = grads.get(x).numpy()
        assert g.dtype == dtype.numpy
        # at x == 0.1 (rounded to the dtype, like the scalar) the tie splits the gradient
        if other is not y:
            assert g[2] == 0.5
