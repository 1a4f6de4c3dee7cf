import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import dfdx_py as dfdx
from dfdx_py.ops import pool2d
from tests.checks import arrays_of, check_op


def np_pool2d(x, kind, kernel, stride=1, padding=0):
    """Direct loop over output positions; padding never counts for max/min, and counts as
    zeros (divisor kernel²) for avg."""
    fill = {"avg": 0.0, "max": -np.inf, "min": np.inf}[kind]
    reduce = {"avg": lambda a: a.sum(axis=(-2, -1)) / kernel**2, "max": np.max, "min": np.min}
    xp = np.pad(
        x,
        [(0, 0)] * (x.ndim - 2) + [(padding, padding)] * 2,
        constant_values=fill,
    )
    h, w = x.shape[-2:]
    ho = (h + 2 * padding - kernel) // stride + 1
    wo = (w + 2 * padding - kernel) // stride + 1
    out = np.zeros((*x.shape[:-2], ho, wo), dtype=x.dtype)
    for i in range(ho):
        for j in range(wo):
            win = xp[..., i * stride : i * stride + kernel, j * stride : j * stride + kernel]
            if kind == "avg":
                out[..., i, j] = reduce["avg"](win)
            else:
                out[..., i, j] = reduce[kind](win, axis=(-2, -1))
    return out


TORCH = {
    "avg": lambda x, k, s, p: F.avg_pool2d(x, k, s, p),
    "max": lambda x, k, s, p: F.max_pool2d(x, k, s, p),
    "min": lambda x, k, s, p: -F.max_pool2d(-x, k, s, p),
}


@st.composite
def pool_cases(draw):
    kernel = draw(st.integers(1, 3))
    stride = draw(st.integers(1, 3))
    padding = draw(st.integers(0, kernel // 2))  # torch allows at most half the kernel
    lead = draw(st.sampled_from([(2,), (1, 2), (2, 3)]))  # (C,) or (B, C)
    h = draw(st.integers(max(1, kernel - 2 * padding), 5))
    w = draw(st.integers(max(1, kernel - 2 * padding), 5))
    return kernel, stride, padding, (*lead, h, w)


@pytest.mark.parametrize("kind", ["avg", "max", "min"])
@given(case=pool_cases(), seed=st.integers(0, 1000))
def test_pool2d(dev, kind, case, seed):
    k, s, p, shape = case
    x = arrays_of(shape, seed)  # continuous values: no ties, finite differences are exact
    check_op(
        dev,
        lambda t: pool2d(t, kind, k, s, p),
        [x],
        np_fn=lambda a: np_pool2d(a, kind, k, s, p),
        torch_fn=lambda t: TORCH[kind](t, k, s, p),
    )


@settings(max_examples=10)
@given(
    kind=st.sampled_from(["avg", "max", "min"]),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    seed=st.integers(0, 1000),
)
def test_pool2d_rectangular(dev, kind, kernel, stride, seed):
    x = arrays_of((2, 2, 4, 5), seed)
    check_op(
        dev,
        lambda t: pool2d(t, kind, kernel, stride),
        [x],
        torch_fn=lambda t: TORCH[kind](t, kernel, stride, 0),
    )


def test_pool2d_max_ties_share_the_gradient(dev):
    # dfdx's rule: every element equal to its window's maximum gets the window's gradient
    x = dev.tensor([[[1.0, 1.0, 0.5, 0.2], [0.2, 0.2, 0.5, 1.2]]], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    y = pool2d(x.trace(grads), "max", 2)
    assert y.numpy().tolist() == [[[1.0, 1.0, 1.2]]]
    y.sum().backward()
    assert grads.get(x).numpy().tolist() == [[[1.0, 2.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]]]


def test_pool2d_min_ties_share_the_gradient(dev):
    x = dev.tensor([[[1.0, 1.0, 0.5, 0.2], [0.2, 0.2, 0.5, 1.2]]], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    y = pool2d(x.trace(grads), "min", 2)
    assert y.numpy().tolist() == [[[0.2, 0.2, 0.2]]]
    y.sum().backward()
    assert grads.get(x).numpy().tolist() == [[[0.0, 0.0, 0.0, 1.0], [1.0, 2.0, 0.0, 0.0]]]


def test_pool2d_padding(dev):
    x = dev.tensor([[[-1.0, -2.0], [-3.0, -4.0]]], dtype=dfdx.f64)
    # max never picks the padding, even over negative values
    assert pool2d(x, "max", 2, 1, 1).numpy().tolist() == [
        [[-1.0, -1.0, -2.0], [-1.0, -1.0, -2.0], [-3.0, -3.0, -4.0]]
    ]
    # avg counts padded zeros: the corner window holds one element of four
    assert pool2d(x, "avg", 2, 1, 1).numpy()[0, 0, 0] == -0.25
    grads = dfdx.Gradients()
    pool2d(x.trace(grads), "avg", 2, 1, 1).sum().backward()
    assert grads.get(x).numpy().tolist() == [[[1.0, 1.0], [1.0, 1.0]]]


@pytest.mark.parametrize("dtype", [dfdx.f32, dfdx.f64])
def test_pool2d_keeps_dtype(dev, dtype):
    for kind in ("avg", "max", "min"):
        y = pool2d(dev.ones((2, 3, 4, 4), dtype=dtype), kind, 2, 2)
        assert y.dtype is dtype
        assert y.shape == (2, 3, 2, 2)
        assert y.numpy().dtype == dtype.numpy


def test_pool2d_errors(dev):
    with pytest.raises(ValueError, match="pool2d: kind must be 'avg', 'max' or 'min', got 'sum'"):
        pool2d(dev.zeros((1, 4, 4)), "sum", 2)
    with pytest.raises(
        dfdx.ShapeError,
        match=r"pool2d: kernel larger than the padded input: x \(1, 2, 3\) padded by "
        r"\(0, 0\) is 2x3, the kernel is 3x3",
    ):
        pool2d(dev.zeros((1, 2, 3)), "max", 3)
    with pytest.raises(dfdx.ShapeError, match=r"pool2d: padding \(2, 2\) must be smaller"):
        pool2d(dev.zeros((1, 4, 4)), "max", 2, 1, 2)
    with pytest.raises(dfdx.ShapeError, match=r"pool2d: x must be .* got shape \(4, 4\)"):
        pool2d(dev.zeros((4, 4)), "avg", 2)
    with pytest.raises(dfdx.ShapeError, match="pool2d: stride must be >= 1"):
        pool2d(dev.zeros((1, 4, 4)), "avg", 2, 0)
    with pytest.raises(dfdx.DTypeError, match="pool2d: not defined for i64"):
        pool2d(dev.tensor(np.ones((1, 2, 2), dtype=np.int64)), "max", 2)


def test_pool2d_global_like(dev):
    x = arrays_of((2, 3, 4, 4), 0)
    y = pool2d(dev.tensor(x, dtype=dfdx.f64), "avg", 4)
    np.testing.assert_allclose(y.numpy()[..., 0, 0], x.mean(axis=(-2, -1)), rtol=1e-12)
    torch_y = F.max_pool2d(torch.from_numpy(x), 4).numpy()
    np.testing.assert_array_equal(pool2d(dev.tensor(x, dtype=dfdx.f64), "max", 4).numpy(), torch_y)


def test_max_pool_gradient_is_exact_with_infinite_gradients(dev):
    import dfdx_py as dfdx
    from dfdx_py.ops import pool2d

    x = dev.tensor(np.array([[[1.0, 2.0], [3.0, 4.0]]]))
    grads = dfdx.Gradients()
    y = pool2d(x.trace(grads), "max", 2)
    (y * dev.tensor(np.array([[[np.inf]]]))).sum().backward()
    assert grads.get(x).numpy().tolist() == [[[0.0, 0.0], [0.0, np.inf]]]
