"""softmax, log_softmax and normalize: forward against NumPy and PyTorch, backward against
finite differences, along an int or a tuple of axes."""

import importlib

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import dfdx_py as dfdx
from tests.checks import check_forward, check_op, float_arrays
from tests.ops.reduction_cases import (
    arrays_with_axis,
    np_log_softmax,
    np_normalize,
    np_softmax,
)

OPS = {
    "softmax": (np_softmax, torch.softmax),
    "log_softmax": (np_log_softmax, torch.log_softmax),
}


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(x=float_arrays(min_dims=1), data=st.data())
def test_softmax_int_axis(dev, name, x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    np_fn, torch_fn = OPS[name]
    check_op(
        dev,
        lambda t: getattr(t, name)(axis),
        [x],
        np_fn=lambda a: np_fn(a, axis),
        torch_fn=lambda t: torch_fn(t, dim=axis),
    )


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(x=float_arrays(min_dims=1))
def test_softmax_default_axis_is_last(dev, name, x):
    np_fn, torch_fn = OPS[name]
    check_op(
        dev,
        lambda t: getattr(t, name)(),
        [x],
        np_fn=lambda a: np_fn(a, -1),
        torch_fn=lambda t: torch_fn(t, dim=-1),
    )


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@settings(max_examples=10)
@given(case=arrays_with_axis(min_dims=1, allow_none=False))
def test_softmax_tuple_axes(dev, name, case):
    x, axis = case
    np_fn, _ = OPS[name]
    check_op(dev, lambda t: getattr(t, name)(axis), [x], np_fn=lambda a: np_fn(a, axis))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", [dfdx.f32, dfdx.f64])
@pytest.mark.parametrize(("shape", "axis"), [((300, 200), -1), ((3, 7, 1030), 2), ((50, 60), 0)])
def test_softmax_large(dev, name, dtype, shape, axis):
    # several row blocks (with a partial last one) of the fast path, and a leading axis
    x = np.random.default_rng(5).standard_normal(shape) * 4
    np_fn, torch_fn = OPS[name]
    out = check_forward(
        dev,
        lambda t: getattr(t, name)(axis),
        [x],
        np_fn=lambda a: np_fn(a, axis),
        torch_fn=lambda t: torch_fn(t, dim=axis),
        dtype=dtype,
    )
    assert out.dtype is dtype
    assert out.numpy().dtype == dtype.numpy


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_backward_large(dev, name):
    x = np.random.default_rng(6).standard_normal((257, 130))
    g = np.random.default_rng(7).standard_normal((257, 130))
    grads = dfdx.Gradients()
    xt = dev.tensor(x, dtype=dfdx.f64)
    (getattr(xt.trace(grads), name)() * dev.tensor(g, dtype=dfdx.f64)).sum().backward()
    t = torch.from_numpy(x).requires_grad_(True)
    (OPS[name][1](t, dim=-1) * torch.from_numpy(g)).sum().backward()
    np.testing.assert_allclose(grads.get(xt).numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_softmax_is_stable(dev):
    x = dev.tensor([[1000.0, 0.0], [-1000.0, -1000.0], [88.0, 89.0]])
    np.testing.assert_allclose(
        x.softmax().numpy(), [[1.0, 0.0], [0.5, 0.5], [0.26894143, 0.7310586]], rtol=1e-6
    )
    ls = x.log_softmax().numpy()
    np.testing.assert_allclose(
        ls, [[0.0, -1000.0], [-np.log(2), -np.log(2)], [-1.3132616, -0.3132617]], rtol=1e-6
    )
    assert np.isfinite(ls).all()
    assert x.softmax().dtype is dfdx.f32


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # the all -inf row
def test_softmax_infinities_match_torch(dev):
    inf = float("inf")
    x = np.array([[0.0, -inf, 1.0], [-inf, -inf, -inf], [inf, 0.0, 1.0]])
    for name, (_, torch_fn) in OPS.items():
        got = getattr(dev.tensor(x, dtype=dfdx.f64), name)().numpy()
        want = torch_fn(torch.from_numpy(x), dim=-1).numpy()
        np.testing.assert_array_equal(got, want, err_msg=name)


def test_softmax_gradient_of_constant_sum(dev):
    # Σ softmax = 1: the gradient is 0; grad_y arrives as a read-only broadcast view
    x = dev.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 5.0]], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    x.trace(grads).softmax().sum().backward()
    np.testing.assert_allclose(grads.get(x).numpy(), 0.0, atol=1e-15)
    grads = dfdx.Gradients()
    x.trace(grads).log_softmax().sum().backward()  # 1 - n softmax
    want = 1 - 3 * torch.softmax(torch.from_numpy(x.numpy()), dim=-1).numpy()
    np.testing.assert_allclose(grads.get(x).numpy(), want, rtol=1e-12)


def test_softmax_values(dev):
    out = dev.tensor([0.0, 0.0, 0.0, 0.0]).softmax()
    assert out.numpy().tolist() == [0.25] * 4
    out = dev.tensor([[1.0, 1.0], [3.0, 3.0]]).softmax(axis=0)
    np.testing.assert_allclose(out.numpy(), [[0.11920292] * 2, [0.8807971] * 2], rtol=1e-6)
    out = dev.tensor([[0.0, 0.0], [0.0, 0.0]]).log_softmax(axis=(0, 1))
    np.testing.assert_allclose(out.numpy(), np.full((2, 2), -np.log(4)), rtol=1e-6)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "normalize"])
@pytest.mark.parametrize("dtype", [dfdx.f16, dfdx.bf16])
def test_half_precision(dev, name, dtype):
    x = np.random.default_rng(3).standard_normal((3, 6))
    out = getattr(dev.tensor(x, dtype=dtype), name)()
    assert out.dtype is dtype
    assert out.numpy().dtype == dtype.numpy
    t = torch.from_numpy(x)
    want = {
        "softmax": lambda: torch.softmax(t, -1),
        "log_softmax": lambda: torch.log_softmax(t, -1),
        "normalize": lambda: F.layer_norm(t, (6,)),
    }[name]().numpy()
    np.testing.assert_allclose(out.numpy().astype(np.float64), want, rtol=3e-2, atol=3e-2)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "normalize"])
def test_softmax_like_errors(dev, name):
    x = dev.zeros((2, 3))
    with pytest.raises(
        dfdx.ShapeError, match=rf"{name}: axis 2 is out of range for shape \(2, 3\) \(rank 2\)"
    ):
        getattr(x, name)(2)
    with pytest.raises(dfdx.ShapeError, match=rf"{name}: axis -1 is out of range for shape \(\)"):
        getattr(dev.zeros(()), name)()
    with pytest.raises(dfdx.ShapeError, match=rf"{name}: repeated axis"):
        getattr(x, name)((0, -2))
    with pytest.raises(dfdx.DTypeError, match=rf"{name}: not defined for i64"):
        getattr(dev.tensor([1, 2]), name)()


def test_softmax_of_empty(dev):
    assert dev.zeros((0, 3)).softmax().shape == (0, 3)
    assert dev.zeros((2, 0)).log_softmax().shape == (2, 0)
    assert dev.zeros((2, 0)).normalize().shape == (2, 0)


# -- normalize ------------------------------------------------------------------------------


@given(x=float_arrays(min_dims=1), eps=st.sampled_from([1e-5, 0.5]))
def test_normalize_last_axis_vs_layer_norm(dev, x, eps):
    check_op(
        dev,
        lambda t: t.normalize(eps=eps),
        [x],
        np_fn=lambda a: np_normalize(a, -1, eps),
        torch_fn=lambda t: F.layer_norm(t, t.shape[-1:], eps=eps),
        f32_tol=(1e-4, 1e-5),
    )


@given(x=float_arrays(min_dims=2))
def test_normalize_trailing_axes_vs_layer_norm(dev, x):
    check_op(
        dev,
        lambda t: t.normalize(axis=(-2, -1)),
        [x],
        np_fn=lambda a: np_normalize(a, (-2, -1), 1e-5),
        torch_fn=lambda t: F.layer_norm(t, t.shape[-2:]),
        f32_tol=(1e-4, 1e-5),
    )


@given(case=arrays_with_axis(min_dims=1, allow_none=False), eps=st.sampled_from([1e-5, 0.5]))
def test_normalize_any_axis(dev, case, eps):
    x, axis = case
    check_op(
        dev,
        lambda t: t.normalize(axis, eps),
        [x],
        np_fn=lambda a: np_normalize(a, axis, eps),
        f32_tol=(1e-4, 1e-5),
    )


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # eps 0 on a constant row: NaN
def test_normalize_values(dev):
    x = dev.tensor([[1.0, 3.0], [2.0, 2.0]])
    assert x.normalize(eps=0.0).numpy().tolist()[0] == [-1.0, 1.0]
    assert x.normalize().numpy().tolist()[1] == [0.0, 0.0]  # a constant row: 0, not NaN
    out = x.normalize(axis=0, eps=0.0)
    assert out.numpy().tolist() == [[-1.0, 1.0], [1.0, -1.0]]
    assert out.dtype is dfdx.f32
    grads = dfdx.Gradients()
    (x.trace(grads).normalize() * dev.tensor([[1.0, 0.0], [0.0, 0.0]])).sum().backward()
    assert grads.get(x).dtype is dfdx.f32
    t = torch.tensor([[1.0, 3.0], [2.0, 2.0]], requires_grad=True)
    (F.layer_norm(t, (2,)) * torch.tensor([[1.0, 0.0], [0.0, 0.0]])).sum().backward()
    np.testing.assert_allclose(grads.get(x).numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("cores", [1, 3])
def test_softmax_threaded_row_chunks(dev, name, cores, monkeypatch):
    # large arrays run their row blocks on a thread pool: force it on a small array
    cpu = importlib.import_module("dfdx_py.ops.cpu_common")
    monkeypatch.setattr(cpu, "PARALLEL_MIN_ELEMENTS", 0)
    monkeypatch.setattr(cpu, "_cores", lambda: cores)
    monkeypatch.setattr(cpu, "_BLOCK_BYTES", 64 * 8 * 3)  # three rows of 64 f64 per block
    x = np.random.default_rng(8).standard_normal((2, 19, 64))
    np_fn, torch_fn = OPS[name]
    check_forward(
        dev,
        lambda t: getattr(t, name)(),
        [x],
        np_fn=lambda a: np_fn(a, -1),
        torch_fn=lambda t: torch_fn(t, dim=-1),
    )
