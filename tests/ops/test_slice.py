import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dfdx_py as dfdx
from tests.checks import arrays_of, check_op, shapes


@st.composite
def basic_indices(draw, shape):
    """A basic index for ``shape``: ints, slices with a positive step, maybe one ``...``."""
    items = []
    for dim in shape:
        if draw(st.booleans()):
            items.append(draw(st.integers(-dim, dim - 1)))
        else:
            bound = st.none() | st.integers(-dim - 2, dim + 2)
            items.append(slice(draw(bound), draw(bound), draw(st.none() | st.integers(1, 3))))
    if draw(st.booleans()):  # an ellipsis standing for some axes
        start = draw(st.integers(0, len(items)))
        stop = draw(st.integers(start, len(items)))
        items[start:stop] = [Ellipsis]
    elif items and draw(st.booleans()):  # or drop some trailing axes (not both: the items
        items = items[: draw(st.integers(0, len(items)))]  # after a ... index the last axes)
    if len(items) == 1 and draw(st.booleans()):
        return items[0]
    return tuple(items)


@given(shape=shapes(max_dims=4), data=st.data())
def test_slice(dev, shape, data):
    index = data.draw(basic_indices(shape))
    x = arrays_of(shape, data.draw(st.integers(0, 1000)))
    check_op(
        dev,
        lambda t: t[index],
        [x],
        np_fn=lambda a: a[index],
        torch_fn=lambda t: t[index],
    )


def test_slice_values(dev):
    x = dev.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert x[1].numpy().tolist() == [4.0, 5.0, 6.0]
    assert x[-1, 0].numpy().tolist() == 4.0
    assert x[-1, 0].shape == ()
    assert x[:, ::2].numpy().tolist() == [[1.0, 3.0], [4.0, 6.0]]
    assert x[..., -1].numpy().tolist() == [3.0, 6.0]
    assert x[1:, 1:].numpy().tolist() == [[5.0, 6.0]]
    assert x[5:].shape == (0, 3)
    assert x[np.int64(0), 1:2].numpy().tolist() == [2.0]
    assert x[()].shape == (2, 3)
    s = dev.tensor(7.0)
    assert s[()].item() == 7.0 and s[...].item() == 7.0
    if dev.kind == "cpu":  # a basic slice is a view on the Cpu (Cuda storage copies)
        assert np.shares_memory(x[0]._data, x._data)
    i = dev.tensor([[1, 2], [3, 4]])
    assert i[:, 1].dtype is dfdx.i64 and i[:, 1].numpy().tolist() == [2, 4]
    b = dev.tensor([True, False, True])
    assert b[::2].numpy().tolist() == [True, True]


def test_iteration_stops(dev):
    x = dev.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    rows = [r.numpy().tolist() for r in x]
    assert rows == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]


def test_slice_grad_values(dev):
    x = dev.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    t = x.trace(grads)
    (t[0, ::2] * 3.0).sum().backward()
    assert grads.get(x).numpy().tolist() == [[3.0, 0.0, 3.0], [0.0, 0.0, 0.0]]
    # overlapping slices of one tensor add up
    grads = dfdx.Gradients()
    t = x.trace(grads)
    (t[:, 1:].sum() + t[:, :2].sum() + t[1, 1]).backward()
    assert grads.get(x).numpy().tolist() == [[1.0, 2.0, 1.0], [1.0, 3.0, 1.0]]


def test_slice_out_of_range(dev):
    x = dev.zeros((2, 3))
    with pytest.raises(
        IndexError, match=r"slice: index 3 is out of range for axis 1 of size 3 \(shape \(2, 3\)\)"
    ):
        x[0, 3]
    with pytest.raises(IndexError, match=r"slice: index -3 is out of range for axis 0 of size 2"):
        x[-3]
    with pytest.raises(IndexError, match=r"slice: too many indices for shape \(2, 3\): 3 indices"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match=r"slice: index 0 is out of range for axis 0 of size 0"):
        dev.zeros((0,))[0]
    with pytest.raises(IndexError, match="only one ellipsis"):
        x[..., 0, ...]


def test_slice_bad_steps(dev):
    x = dev.zeros((4,))
    with pytest.raises(
        dfdx.ShapeError, match=r"slice: step must be > 0, got slice\(None, None, -1\)"
    ):
        x[::-1]
    with pytest.raises(ValueError, match="slice: step must be > 0"):
        x[::0]


@pytest.mark.parametrize(
    ("index", "what"),
    [
        ([0, 1], "list"),
        (None, "newaxis"),
        (True, "bool"),
        ((0, None), "newaxis"),
        (np.array([0]), "ndarray"),
        (1.0, "float"),
    ],
)
def test_slice_unsupported(dev, index, what):
    x = dev.zeros((2, 3))
    with pytest.raises(TypeError, match=rf"slice: only basic indexing.*{what}.*select.*gather"):
        x[index]


def test_slice_tensor_index(dev):
    x = dev.zeros((2, 3))
    with pytest.raises(TypeError, match=r"only basic indexing.*Tensor.*x.select\(indices, axis\)"):
        x[dev.tensor([0, 1])]
    with pytest.raises(TypeError, match="slice bounds must be ints or None"):
        x[0.5:]
