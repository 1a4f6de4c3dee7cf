"""broadcast_to: new axes only (dfdx's semantics), forward against NumPy and PyTorch,
backward (a sum over the new axes) against finite differences."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import dfdx_py as dfdx
from tests.checks import arrays_of, check_op


@st.composite
def broadcasts(draw, max_out_dims=4):
    """An output shape, the positions of its new axes (as the user may write them) and an
    input array of the output shape without those axes."""
    out_shape = draw(st.lists(st.integers(1, 3), min_size=0, max_size=max_out_dims))
    ndim = len(out_shape)
    new = sorted(draw(st.sets(st.integers(0, ndim - 1), max_size=ndim))) if ndim else []
    in_shape = tuple(d for i, d in enumerate(out_shape) if i not in new)
    x = arrays_of(in_shape, draw(st.integers(0, 2**16)))
    if len(new) == 1 and draw(st.booleans()):
        axes = new[0] - (ndim if draw(st.booleans()) else 0)  # a single, maybe negative, int
    else:
        axes = tuple(a - ndim if draw(st.booleans()) else a for a in new)
    return x, tuple(out_shape), tuple(new), axes


def np_broadcast(a, shape, new):
    return np.broadcast_to(np.expand_dims(a, new), shape)


def torch_broadcast(t, shape, new):
    for a in new:
        t = t.unsqueeze(a)
    return t.expand(shape)


@given(case=broadcasts())
def test_broadcast_to(dev, case):
    x, shape, new, axes = case
    check_op(
        dev,
        lambda t: t.broadcast_to(shape, axes),
        [x],
        np_fn=lambda a: np_broadcast(a, shape, new),
        torch_fn=lambda t: torch_broadcast(t, shape, new),
    )


@given(
    in_shape=st.lists(st.integers(1, 3), max_size=3),
    lead=st.lists(st.integers(1, 3), max_size=2),
    seed=st.integers(0, 100),
)
def test_broadcast_to_default_axes_are_leading(dev, in_shape, lead, seed):
    x = arrays_of(tuple(in_shape), seed)
    shape = (*lead, *in_shape)
    check_op(
        dev,
        lambda t: t.broadcast_to(shape),
        [x],
        np_fn=lambda a: np.broadcast_to(a, shape),
        torch_fn=lambda t: torch.broadcast_to(t, shape),
    )


def test_broadcast_to_values(dev):
    x = dev.tensor([1.0, 2.0])
    assert x.broadcast_to((2, 2)).numpy().tolist() == [[1.0, 2.0], [1.0, 2.0]]
    assert x.broadcast_to((2, 3), axes=1).numpy().tolist() == [[1.0] * 3, [2.0] * 3]
    assert x.broadcast_to((2, 3), axes=-1).shape == (2, 3)
    assert x.broadcast_to((4, 2, 3), axes=(0, 2)).shape == (4, 2, 3)
    assert x.broadcast_to([3, 2]).shape == (3, 2)  # a list is a shape too
    assert x.broadcast_to((2,)).numpy().tolist() == [1.0, 2.0]  # no new axis
    assert dev.tensor(5.0).broadcast_to((2, 2)).numpy().tolist() == [[5.0, 5.0], [5.0, 5.0]]
    assert x.broadcast_to((3, 2)).dtype is dfdx.f32
    i = dev.tensor([1, 2]).broadcast_to((2, 2), axes=1)
    assert i.dtype is dfdx.i64
    assert i.numpy().tolist() == [[1, 1], [2, 2]]
    b = dev.tensor([True, False]).broadcast_to((2, 2))
    assert b.dtype is dfdx.bool_
    assert dev.zeros((0,)).broadcast_to((3, 0)).shape == (3, 0)


def test_broadcast_to_is_a_view_that_never_writes_back(dev):
    base = np.arange(3.0)
    x = dev.tensor(base, dtype=dfdx.f64)
    y = x.broadcast_to((1000, 3))
    assert y.shape == (1000, 3)
    assert (y * 2.0).numpy()[999].tolist() == [0.0, 2.0, 4.0]
    assert x.numpy().tolist() == [0.0, 1.0, 2.0]


def test_broadcast_to_backward_values(dev):
    x = dev.tensor([1.0, 2.0])
    grads = dfdx.Gradients()
    w = dev.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    (x.trace(grads).broadcast_to((2, 3), axes=1) * w).sum().backward()
    assert grads.get(x).numpy().tolist() == [6.0, 15.0]
    assert grads.get(x).dtype is dfdx.f32
    grads = dfdx.Gradients()
    (x.trace(grads).broadcast_to((3, 2)) * 1.5).sum().backward()
    assert grads.get(x).numpy().tolist() == [4.5, 4.5]
    s = dev.tensor(2.0)
    grads = dfdx.Gradients()
    s.trace(grads).broadcast_to((2, 3)).sum().backward()
    assert grads.get(s).shape == ()
    assert grads.get(s).item() == 6.0


def test_broadcast_to_errors(dev):
    x = dev.zeros((2,))
    with pytest.raises(
        dfdx.ShapeError,
        match=r"broadcast_to: cannot broadcast \(2,\) to \(2, 3\) .*pass axes=\(1,\)",
    ):
        x.broadcast_to((2, 3))
    with pytest.raises(dfdx.ShapeError, match=r"broadcast_to: cannot broadcast \(2,\) to \(3,\)"):
        x.broadcast_to((3,))
    with pytest.raises(
        dfdx.ShapeError, match=r"cannot broadcast \(2, 1\) to \(2, 4\).*size-1 dims are not"
    ):
        dev.zeros((2, 1)).broadcast_to((2, 4))
    with pytest.raises(dfdx.ShapeError, match=r"cannot broadcast \(2, 3\) to \(3,\).*fewer axes"):
        dev.zeros((2, 3)).broadcast_to((3,))
    with pytest.raises(dfdx.ShapeError, match=r"cannot broadcast \(2,\) to \(4, 2, 3\)"):
        x.broadcast_to((4, 2, 3), axes=0)  # two new axes, one named
    with pytest.raises(dfdx.ShapeError, match=r"cannot broadcast \(2,\) to \(2, 3\)"):
        x.broadcast_to((2, 3), axes=0)
    with pytest.raises(
        dfdx.ShapeError, match=r"broadcast_to: axis 2 is out of range for shape \(2, 3\)"
    ):
        x.broadcast_to((2, 3), axes=2)
    with pytest.raises(dfdx.ShapeError, match=r"broadcast_to: repeated axis"):
        x.broadcast_to((2, 3, 4), axes=(1, -2))
    with pytest.raises(dfdx.ShapeError, match=r"broadcast_to: a shape must be a tuple of ints"):
        x.broadcast_to((2, -1))
