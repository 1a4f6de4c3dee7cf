import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dfdx_py as dfdx
from dfdx_py import ops
from tests.checks import arrays_of, check_op, shapes, shares_storage


@st.composite
def reshape_cases(draw):
    """A shape, and a target shape with the same element count (maybe holding one -1)."""
    shape = draw(shapes(max_dims=4))
    dims = list(draw(st.permutations(shape)))
    while len(dims) > 1 and draw(st.booleans()):  # merge two neighbours
        i = draw(st.integers(0, len(dims) - 2))
        dims[i : i + 2] = [dims[i] * dims[i + 1]]
    if draw(st.booleans()):
        dims.insert(draw(st.integers(0, len(dims))), 1)
    if dims and draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    return shape, tuple(dims), draw(st.integers(0, 2**32 - 1))


@given(case=reshape_cases())
def test_reshape(dev, case):
    shape, target, seed = case
    x = arrays_of(shape, seed)
    check_op(
        dev,
        lambda t: t.reshape(target),
        [x],
        np_fn=lambda a: a.reshape(target),
        torch_fn=lambda t: t.reshape(target),
    )


def test_reshape_values_and_view(dev):
    x = dev.tensor(np.arange(6.0).reshape(2, 3))
    y = x.reshape((3, -1))
    assert y.shape == (3, 2)
    assert y.numpy().tolist() == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    assert shares_storage(y._data, x._data)  # a reshape never copies
    assert ops.reshape(x, (6,)).numpy().tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert x.reshape(6).shape == (6,)
    assert dev.tensor(5.0).reshape((1, 1)).numpy().tolist() == [[5.0]]
    assert dev.zeros((2, 3)).reshape((-1,)).shape == (6,)
    assert dev.zeros((0, 3)).reshape((-1, 3)).shape == (0, 3)


def test_reshape_grad_values(dev):
    x = dev.tensor(np.arange(6.0).reshape(2, 3), dtype=dfdx.f64)
    grads = dfdx.Gradients()
    y = x.trace(grads).reshape((3, 2))
    w = dev.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=dfdx.f64)
    (y * w).sum().backward()
    assert grads.get(x).numpy().tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


def test_reshape_ints_and_bools(dev):
    x = dev.tensor([[1, 2], [3, 4]])
    assert x.reshape((4,)).numpy().tolist() == [1, 2, 3, 4]
    assert x.reshape((4,)).dtype is dfdx.i64
    b = dev.tensor([[True, False]])
    assert b.reshape((2,)).dtype is dfdx.bool_
    assert b.reshape((2,)).numpy().tolist() == [True, False]


def test_reshape_errors(dev):
    x = dev.zeros((2, 3))
    with pytest.raises(
        dfdx.ShapeError,
        match=r"reshape: cannot reshape \(2, 3\) \(6 elements\) to \(4, 2\) "
        r"\(8 elements\)",
    ):
        x.reshape((4, 2))
    with pytest.raises(dfdx.ShapeError, match=r"reshape: .*\(4, -1\).*6 elements"):
        x.reshape((4, -1))
    with pytest.raises(dfdx.ShapeError, match=r"reshape: .*at most one -1.*\(-1, -1\)"):
        x.reshape((-1, -1))
    with pytest.raises(dfdx.ShapeError, match=r"reshape: .*\(-2, -3\)"):
        x.reshape((-2, -3))
    with pytest.raises(dfdx.ShapeError, match=r"reshape: a shape must be a tuple of ints"):
        x.reshape((2.0, 3))
    with pytest.raises(dfdx.ShapeError, match=r"reshape: cannot reshape \(0, 3\)"):
        dev.zeros((0, 3)).reshape((-1, 0))


@st.composite
def permute_cases(draw):
    shape = draw(shapes(max_dims=5))
    axes = [
        a - len(shape) if draw(st.booleans()) else a
        for a in draw(st.permutations(range(len(shape))))
    ]
    return shape, tuple(axes), draw(st.integers(0, 2**32 - 1))


@given(case=permute_cases())
def test_permute(dev, case):
    shape, axes, seed = case
    x = arrays_of(shape, seed)
    check_op(
        dev,
        lambda t: t.permute(axes),
        [x],
        np_fn=lambda a: np.transpose(a, axes),
        torch_fn=lambda t: t.permute(axes),
    )


def test_permute_values(dev):
    x = dev.tensor(np.arange(24.0).reshape(2, 3, 4))
    y = x.permute((2, 0, 1))
    assert y.shape == (4, 2, 3)
    assert y.numpy()[3, 1, 2] == x.numpy()[1, 2, 3] == 23.0
    assert x.permute((-1, 0, 1)).shape == (4, 2, 3)
    assert dev.tensor(1.0).permute(()).item() == 1.0
    assert dev.tensor([[1, 2]]).permute((1, 0)).numpy().tolist() == [[1], [2]]


def test_permute_errors(dev):
    x = dev.zeros((2, 3))
    msg = r"permute: axes \(0, 0\) are not a permutation of range\(2\) for shape \(2, 3\)"
    with pytest.raises(dfdx.ShapeError, match=msg):
        x.permute((0, 0))
    with pytest.raises(dfdx.ShapeError, match=r"permute: axes \(0,\) .*range\(2\)"):
        x.permute((0,))
    with pytest.raises(dfdx.ShapeError, match=r"permute: axes \(0, 2\)"):
        x.permute((0, 2))
    with pytest.raises(dfdx.ShapeError, match=r"permute: axes \(1, -2, 0\)"):
        x.permute((1, -2, 0))


@given(shape=shapes(min_dims=1, max_dims=4), data=st.data())
def test_transpose(dev, shape, data):
    nd = len(shape)
    a = data.draw(st.integers(-nd, nd - 1))
    b = data.draw(st.integers(-nd, nd - 1))
    x = arrays_of(shape, data.draw(st.integers(0, 1000)))
    check_op(
        dev,
        lambda t: t.transpose(a, b),
        [x],
        np_fn=lambda arr: np.swapaxes(arr, a, b),
        torch_fn=lambda t: t.transpose(a, b),
    )


def test_transpose_errors(dev):
    with pytest.raises(
        dfdx.ShapeError, match=r"transpose: axis 2 is out of range for shape \(2, 3\)"
    ):
        dev.zeros((2, 3)).transpose(0, 2)
    assert dev.zeros((2, 3)).transpose(1, 0).shape == (3, 2)


def test_realize(dev):
    x = dev.zeros((2, 3))
    assert x.realize((2, 3)) is x
    assert ops.realize(x, [2, 3]) is x
    grads = dfdx.Gradients()
    t = dev.tensor([1.0, 2.0]).trace(grads)
    r = t.realize((2,))
    assert r.is_traced
    (r * r).sum().backward()
    assert grads.get(t).numpy().tolist() == [2.0, 4.0]


def test_realize_errors(dev):
    x = dev.zeros((2, 3))
    with pytest.raises(
        dfdx.ShapeError,
        match=r"realize: tensor has shape \(2, 3\), expected \(2, 4\): axis 1: 3 != 4",
    ):
        x.realize((2, 4))
    with pytest.raises(dfdx.ShapeError, match=r"realize: .*\(2, 3\).*\(6,\): rank 2 != 1"):
        x.realize((6,))
    with pytest.raises(dfdx.ShapeError, match=r"realize: a shape must be"):
        x.realize((2.0, 3.0))
