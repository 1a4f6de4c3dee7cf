import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import dfdx_py as dfdx
from tests.checks import arrays_of, check_op, shapes


@given(shape=shapes(min_dims=1, max_dims=4), data=st.data())
def test_roll(dev, shape, data):
    nd = len(shape)
    axis = data.draw(st.integers(-nd, nd - 1))
    shift = data.draw(st.integers(-9, 9))
    x = arrays_of(shape, data.draw(st.integers(0, 1000)))
    check_op(
        dev,
        lambda t: t.roll(shift, axis),
        [x],
        np_fn=lambda a: np.roll(a, shift, axis=axis),
        torch_fn=lambda t: torch.roll(t, shift, dims=axis),
    )


def test_roll_values_and_grads(dev):
    x = dev.tensor([1.0, 2.0, 3.0, 4.0], dtype=dfdx.f64)
    assert x.roll(1, axis=0).numpy().tolist() == [4.0, 1.0, 2.0, 3.0]
    assert x.roll(-1, axis=-1).numpy().tolist() == [2.0, 3.0, 4.0, 1.0]
    assert x.roll(6, axis=0).numpy().tolist() == [3.0, 4.0, 1.0, 2.0]
    grads = dfdx.Gradients()
    y = x.trace(grads).roll(1, 0)
    (y * dev.tensor([1.0, 2.0, 3.0, 4.0], dtype=dfdx.f64)).sum().backward()
    assert grads.get(x).numpy().tolist() == [2.0, 3.0, 4.0, 1.0]
    assert dev.tensor([[1, 2, 3]]).roll(1, 1).numpy().tolist() == [[3, 1, 2]]
    assert dev.zeros((2, 0)).roll(3, 1).shape == (2, 0)


def test_roll_errors(dev):
    with pytest.raises(dfdx.ShapeError, match=r"roll: axis 2 is out of range for shape \(2, 3\)"):
        dev.zeros((2, 3)).roll(1, 2)
    with pytest.raises(dfdx.ShapeError, match=r"roll: axis 0 is out of range for shape \(\)"):
        dev.tensor(1.0).roll(1, 0)
    with pytest.raises(TypeError, match="roll: shift must be an int"):
        dev.zeros((2,)).roll(1.5, 0)


@given(shape=shapes(min_dims=2, max_dims=4), data=st.data())
def test_tril_triu(dev, shape, data):
    k = data.draw(st.integers(-4, 4))
    x = arrays_of(shape, data.draw(st.integers(0, 1000)))
    check_op(
        dev,
        lambda t: t.tril(k),
        [x],
        np_fn=lambda a: np.tril(a, k),
        torch_fn=lambda t: torch.tril(t, k),
    )
    check_op(
        dev,
        lambda t: t.triu(k),
        [x],
        np_fn=lambda a: np.triu(a, k),
        torch_fn=lambda t: torch.triu(t, k),
    )


def test_tri_values_and_grads(dev):
    x = dev.ones((2, 3), dtype=dfdx.f64)
    assert x.tril().numpy().tolist() == [[1.0, 0.0, 0.0], [1.0, 1.0, 0.0]]
    assert x.triu(1).numpy().tolist() == [[0.0, 1.0, 1.0], [0.0, 0.0, 1.0]]
    assert x.tril(-1).numpy().tolist() == [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]
    grads = dfdx.Gradients()
    (x.trace(grads).triu() * 5.0).sum().backward()
    assert grads.get(x).numpy().tolist() == [[5.0, 5.0, 5.0], [0.0, 5.0, 5.0]]
    i = dev.tensor([[1, 2], [3, 4]])
    assert i.tril().numpy().tolist() == [[1, 0], [3, 4]] and i.tril().dtype is dfdx.i64
    b = dev.tensor([[True, True], [True, True]])
    assert b.triu().numpy().tolist() == [[True, True], [False, True]]
    batched = dev.ones((3, 2, 2)).tril()
    assert batched.numpy().tolist() == [[[1.0, 0.0], [1.0, 1.0]]] * 3


def test_tri_errors(dev):
    with pytest.raises(
        dfdx.ShapeError, match=r"tril: needs a tensor of rank >= 2.*got shape \(3,\)"
    ):
        dev.zeros((3,)).tril()
    with pytest.raises(dfdx.ShapeError, match=r"triu: needs a tensor of rank >= 2.*got shape \(\)"):
        dev.tensor(1.0).triu()
    with pytest.raises(TypeError, match="tril: k must be an int"):
        dev.zeros((2, 2)).tril(0.5)
