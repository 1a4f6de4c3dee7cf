"""sum, mean, max, min, var, std, logsumexp: forward against NumPy and PyTorch, backward
against finite differences, with the axis drawn as None, an int or a tuple."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import dfdx_py as dfdx
from tests.checks import check_forward, check_op
from tests.ops.reduction_cases import (
    arrays_with_axis,
    np_logsumexp,
    torch_dims,
)

# -- sum ------------------------------------------------------------------------------------


@given(case=arrays_with_axis())
def test_sum(dev, case):
    x, axis = case
    dims = torch_dims(axis, x.ndim)
    check_op(
        dev,
        lambda t: t.sum(axis),
        [x],
        np_fn=lambda a: np.sum(a, axis=axis),
        torch_fn=lambda t: torch.sum(t, dim=dims),
    )


@pytest.mark.parametrize(
    ("shape", "axis"),
    [
        ((64, 48), 1),  # trailing axis: rows . ones (BLAS)
        ((64, 48), 0),  # leading axis: ones . columns (BLAS)
        ((6, 7, 8), (1, 2)),
        ((6, 7, 8), (0, 1)),
        ((6, 7, 8), 1),  # a middle axis: numpy
        ((6, 7, 8), (0, 2)),
        ((6, 7, 8), (-1, 0)),
        ((6, 7, 8), None),
    ],
)
@pytest.mark.parametrize("dtype", [dfdx.f32, dfdx.f64])
def test_sum_paths(dev, shape, axis, dtype):
    x = np.random.default_rng(0).standard_normal(shape)
    out = check_forward(
        dev,
        lambda t: t.sum(axis),
        [x],
        np_fn=lambda a: np.sum(a, axis=axis),
        torch_fn=lambda t: torch.sum(t, dim=torch_dims(axis, len(shape))),
        dtype=dtype,
        tol=(1e-5, 1e-5) if dtype is dfdx.f32 else None,
    )
    assert out.dtype is dtype
    assert out.numpy().dtype == dtype.numpy


def test_sum_values(dev):
    x = dev.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert x.sum().item() == 21.0
    assert x.sum(0).numpy().tolist() == [5.0, 7.0, 9.0]
    assert x.sum(-1).numpy().tolist() == [6.0, 15.0]
    assert x.sum((1, 0)).shape == ()
    assert x.sum(()).numpy().tolist() == x.numpy().tolist()  # no axis: nothing reduced


def test_sum_i64(dev):
    x = dev.tensor([[1, 2, 3], [4, 5, 6]])
    assert x.sum().dtype is dfdx.i64
    assert x.sum().item() == 21
    assert x.sum(axis=0).numpy().tolist() == [5, 7, 9]
    assert x.sum(axis=(-1,)).numpy().tolist() == [6, 15]


def test_sum_backward_values(dev):
    x = dev.tensor([[1.0, 2.0], [3.0, 4.0]])
    grads = dfdx.Gradients()
    (x.trace(grads).sum(0) * dev.tensor([10.0, 20.0])).sum().backward()
    assert grads.get(x).numpy().tolist() == [[10.0, 20.0], [10.0, 20.0]]


def test_sum_errors(dev):
    x = dev.zeros((2, 3))
    with pytest.raises(dfdx.ShapeError, match=r"sum: axis 2 is out of range for shape \(2, 3\)"):
        x.sum(2)
    with pytest.raises(dfdx.ShapeError, match=r"sum: axis -3 is out of range for shape \(2, 3\)"):
        x.sum((0, -3))
    with pytest.raises(dfdx.ShapeError, match=r"sum: repeated axis in \(1, -1\)"):
        x.sum((1, -1))
    with pytest.raises(dfdx.DTypeError, match="sum: not defined for bool_"):
        dev.tensor([True, False]).sum()


# -- mean -----------------------------------------------------------------------------------


@given(case=arrays_with_axis())
def test_mean(dev, case):
    x, axis = case
    dims = torch_dims(axis, x.ndim)
    check_op(
        dev,
        lambda t: t.mean(axis),
        [x],
        np_fn=lambda a: np.mean(a, axis=axis),
        torch_fn=lambda t: torch.mean(t, dim=dims),
    )


def test_mean_values(dev):
    x = dev.tensor([[1.0, 2.0], [3.0, 6.0]])
    assert x.mean().item() == 3.0
    assert x.mean(1).numpy().tolist() == [1.5, 4.5]
    assert x.mean(1).dtype is dfdx.f32
    grads = dfdx.Gradients()
    x.trace(grads).mean().backward()
    assert grads.get(x).numpy().tolist() == [[0.25, 0.25], [0.25, 0.25]]
    assert grads.get(x).dtype is dfdx.f32


def test_mean_errors(dev):
    with pytest.raises(dfdx.ShapeError, match=r"mean: axis 1 is out of range for shape \(3,\)"):
        dev.zeros((3,)).mean(1)
    with pytest.raises(dfdx.DTypeError, match="mean: not defined for i64"):
        dev.tensor([1, 2]).mean()


def test_mean_of_nothing_is_nan(dev):
    out = dev.zeros((0, 2)).mean(0)
    assert out.shape == (2,)
    assert np.isnan(out.numpy()).all()


# -- max and min ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "np_fn", "torch_fn"),
    [("max", np.max, torch.amax), ("min", np.min, torch.amin)],
)
@given(case=arrays_with_axis())
def test_max_min(dev, name, np_fn, torch_fn, case):
    x, axis = case
    dims = torch_dims(axis, x.ndim)
    check_op(
        dev,
        lambda t: getattr(t, name)(axis),
        [x],
        np_fn=lambda a: np_fn(a, axis=axis),
        torch_fn=lambda t: torch_fn(t, dim=dims),
    )


def test_max_min_ties_follow_dfdx(dev):
    # every tied element gets the full gradient (torch.amax would split it: 0.5 each)
    x = dev.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [5.0, 0.0, 4.0]])
    g = dev.tensor([1.0, 10.0, 100.0])
    grads = dfdx.Gradients()
    (x.trace(grads).max(1) * g).sum().backward()
    assert grads.get(x).numpy().tolist() == [
        [0.0, 1.0, 1.0],
        [10.0, 10.0, 10.0],
        [100.0, 0.0, 0.0],
    ]
    grads = dfdx.Gradients()
    (x.trace(grads).min(1) * g).sum().backward()
    assert grads.get(x).numpy().tolist() == [
        [1.0, 0.0, 0.0],
        [10.0, 10.0, 10.0],
        [0.0, 100.0, 0.0],
    ]
    grads = dfdx.Gradients()
    x.trace(grads).max().backward()  # the global max 5 is unique
    assert grads.get(x).numpy().tolist() == [[0.0] * 3, [0.0] * 3, [1.0, 0.0, 0.0]]
    grads = dfdx.Gradients()
    x.trace(grads).min((0, 1)).backward()  # the global min 0 is unique
    assert grads.get(x).numpy()[2, 1] == 1.0
    assert grads.get(x).numpy().sum() == 1.0


def test_max_min_values(dev):
    x = dev.tensor([[1.0, 5.0], [7.0, 2.0]])
    assert x.max().item() == 7.0
    assert x.min().item() == 1.0
    assert x.max(axis=1).numpy().tolist() == [5.0, 7.0]
    assert x.min(axis=-2).numpy().tolist() == [1.0, 2.0]
    assert x.max(1).dtype is dfdx.f32
    i = dev.tensor([[3, -9], [4, 8]])
    assert i.max().item() == 8
    assert i.min(axis=1).numpy().tolist() == [-9, 4]
    assert i.max(axis=0).dtype is dfdx.i64
    nan = dev.tensor([1.0, float("nan")])
    assert np.isnan(nan.max().item())  # NaN propagates, as in torch.amax


def test_max_min_errors(dev):
    x = dev.zeros((2, 0))
    with pytest.raises(dfdx.ShapeError, match=r"max: cannot reduce over an empty axis: .*\(2, 0\)"):
        x.max()
    with pytest.raises(dfdx.ShapeError, match=r"min: cannot reduce over an empty axis"):
        x.min(1)
    assert x.max(0).shape == (0,)  # the empty axis is kept: nothing to reduce
    with pytest.raises(dfdx.ShapeError, match=r"max: axis 2 is out of range for shape \(2, 0\)"):
        x.max(2)
    with pytest.raises(dfdx.ShapeError, match=r"min: repeated axis"):
        x.min((0, 0))
    with pytest.raises(dfdx.DTypeError, match="max: not defined for bool_"):
        dev.tensor([True]).max()


# -- var and std ----------------------------------------------------------------------------


@given(case=arrays_with_axis())
def test_var(dev, case):
    x, axis = case
    dims = torch_dims(axis, x.ndim)
    check_op(
        dev,
        lambda t: t.var(axis),
        [x],
        np_fn=lambda a: np.var(a, axis=axis),
        torch_fn=lambda t: torch.var(t, dim=dims, correction=0),
    )


@given(case=arrays_with_axis(), eps=st.sampled_from([0.0, 0.1]))
def test_std(dev, case, eps):
    x, axis = case
    dims = torch_dims(axis, x.ndim)
    check_op(
        dev,
        lambda t: t.std(axis, eps=eps),
        [x],
        np_fn=lambda a: np.sqrt(np.var(a, axis=axis) + eps),
        torch_fn=(
            (lambda t: torch.std(t, dim=dims, correction=0))
            if eps == 0
            else (lambda t: torch.sqrt(torch.var(t, dim=dims, correction=0) + eps))
        ),
    )


def test_var_std_values(dev):
    x = dev.tensor([[1.0, 3.0], [2.0, 6.0]])
    assert x.var(1).numpy().tolist() == [1.0, 4.0]
    assert x.std(1).numpy().tolist() == [1.0, 2.0]
    assert x.std(axis=1, eps=5.0).numpy().tolist() == [pytest.approx(6**0.5), 3.0]
    assert x.var().item() == pytest.approx(3.5)
    assert x.var(0).dtype is dfdx.f32
    assert x.std(0).dtype is dfdx.f32
    grads = dfdx.Gradients()
    x.trace(grads).var(1).sum().backward()  # 2 (x - mean) / n
    assert grads.get(x).numpy().tolist() == [[-1.0, 1.0], [-2.0, 2.0]]


def test_var_is_stable_with_an_offset(dev):
    x = dev.tensor(np.array([1e8 + 1.0, 1e8 + 3.0]), dtype=dfdx.f64)
    assert x.var().item() == 1.0  # a one-pass E[x²] - E[x]² would lose it


def test_std_zero_variance_gradient_is_zero_as_in_torch(dev):
    x = dev.tensor([[2.0, 2.0], [1.0, 3.0]], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    x.trace(grads).std(1).sum().backward()
    t = torch.tensor([[2.0, 2.0], [1.0, 3.0]], dtype=torch.float64, requires_grad=True)
    t.std(dim=1, correction=0).sum().backward()
    assert grads.get(x).numpy().tolist() == [[0.0, 0.0], [-0.5, 0.5]]
    assert t.grad.tolist() == [[0.0, 0.0], [-0.5, 0.5]]


def test_var_std_errors(dev):
    with pytest.raises(dfdx.DTypeError, match="var: not defined for i64"):
        dev.tensor([1, 2]).var()
    with pytest.raises(dfdx.DTypeError, match="std: not defined for i64"):
        dev.tensor([1, 2]).std()
    with pytest.raises(dfdx.ShapeError, match=r"var: axis 3 is out of range for shape \(2, 2\)"):
        dev.zeros((2, 2)).var(3)
    with pytest.raises(dfdx.ShapeError, match=r"std: axis -3 is out of range"):
        dev.zeros((2, 2)).std((0, -3))


# -- logsumexp ------------------------------------------------------------------------------


@given(case=arrays_with_axis())
def test_logsumexp(dev, case):
    x, axis = case
    dims = torch_dims(axis, x.ndim)
    check_op(
        dev,
        lambda t: t.logsumexp(axis),
        [x],
        np_fn=lambda a: np_logsumexp(a, axis),
        torch_fn=lambda t: torch.logsumexp(t, dim=dims),
    )


@settings(max_examples=5)
@given(case=arrays_with_axis(min_dims=1, low=500.0, high=1000.0))
def test_logsumexp_large_values(dev, case):
    x, axis = case
    check_op(
        dev,
        lambda t: t.logsumexp(axis),
        [x],
        np_fn=lambda a: np_logsumexp(a, axis),
        torch_fn=lambda t: torch.logsumexp(t, dim=torch_dims(axis, x.ndim)),
        grad=False,
    )


def test_logsumexp_infinities_match_torch(dev):
    inf = float("inf")
    x = np.array([[0.0, inf], [-inf, -inf], [1.0, -inf], [-1000.0, -1000.0]])
    got = dev.tensor(x, dtype=dfdx.f64).logsumexp(1).numpy()
    want = torch.logsumexp(torch.from_numpy(x), dim=1).numpy()
    np.testing.assert_array_equal(got, want)
    assert got[3] == pytest.approx(-1000.0 + np.log(2.0))


def test_logsumexp_values_and_gradient(dev):
    x = dev.tensor([[0.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(x.logsumexp(1).numpy(), [np.log(2), 1 + np.log(2)], rtol=1e-6)
    assert x.logsumexp(1).dtype is dfdx.f32
    grads = dfdx.Gradients()
    x.trace(grads).logsumexp(1).sum().backward()  # softmax along the axis
    assert grads.get(x).numpy().tolist() == [[0.5, 0.5], [0.5, 0.5]]
    assert grads.get(x).dtype is dfdx.f32


def test_logsumexp_empty_and_errors(dev):
    out = dev.zeros((0, 3)).logsumexp(0)
    assert out.numpy().tolist() == [-np.inf] * 3  # log of an empty sum, as torch
    with pytest.raises(dfdx.DTypeError, match="logsumexp: not defined for i64"):
        dev.tensor([1, 2]).logsumexp()
    with pytest.raises(dfdx.ShapeError, match=r"logsumexp: axis 1 is out of range"):
        dev.zeros((3,)).logsumexp(1)


# -- every reduction keeps f32 and works on f16/bf16 ---------------------------------------


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "var", "std", "logsumexp"])
@pytest.mark.parametrize("dtype", [dfdx.f32, dfdx.f16, dfdx.bf16])
def test_reductions_keep_dtype(dev, name, dtype):
    x = np.random.default_rng(3).standard_normal((3, 5))
    t = dev.tensor(x, dtype=dtype)
    out = getattr(t, name)(1)
    assert out.dtype is dtype
    assert out.numpy().dtype == dtype.numpy
    ref = getattr(torch.from_numpy(x), {"max": "amax", "min": "amin"}.get(name, name))
    want = ref(dim=1, correction=0) if name in ("var", "std") else ref(dim=1)
    tol = 1e-5 if dtype is dfdx.f32 else 2e-2
    np.testing.assert_allclose(out.numpy().astype(np.float64), want.numpy(), rtol=tol, atol=tol)
    if dtype is dfdx.f32:
        grads = dfdx.Gradients()
        getattr(t.trace(grads), name)(1).sum().backward()
        assert grads.get(t).dtype is dfdx.f32
        assert grads.get(t).numpy().dtype == np.float32
