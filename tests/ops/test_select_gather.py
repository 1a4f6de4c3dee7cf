import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import dfdx_py as dfdx
from dfdx_py.devices.cpu import Cpu
from tests.checks import arrays_of, check_op, shapes


class OtherCpu(Cpu):
    """A Cpu that does not compare equal to the others (a stand-in for a second device)."""

    @property
    def key(self):
        return ("cpu", "other")


def _expanded_shape(shape, axis, n):
    return (*shape[:axis], n, *shape[axis + 1 :])


def np_gather(a, idx, axis):
    """Oracle: ``idx`` of shape ``a.shape[:axis] + (N,)`` along ``axis``."""
    extra = (1,) * (a.ndim - axis - 1)
    full = np.broadcast_to(
        idx.reshape(idx.shape + extra), _expanded_shape(a.shape, axis, idx.shape[-1])
    )
    return np.take_along_axis(a, full, axis)


def torch_gather(t, idx, axis):
    extra = (1,) * (t.ndim - axis - 1)
    full = idx.reshape(idx.shape + extra).expand(*_expanded_shape(t.shape, axis, idx.shape[-1]))
    return torch.gather(t, axis, full)


@st.composite
def index_cases(draw, new_dim):
    """x's shape, an axis, the index values (``new_dim``: gather's extra last dim)."""
    shape = draw(shapes(min_dims=1, max_dims=4))
    axis = draw(st.integers(0, len(shape) - 1))
    idx_shape = shape[:axis] + ((draw(st.integers(1, 4)),) if new_dim else ())
    seed = draw(st.integers(0, 2**32 - 1))
    idx = np.random.default_rng(seed).integers(0, shape[axis], idx_shape, dtype=np.int64)
    explicit = draw(st.booleans())
    return shape, (axis if explicit else None), axis, idx, seed


@given(case=index_cases(new_dim=False))
def test_select(dev, case):
    shape, axis_arg, axis, idx, seed = case
    x = arrays_of(shape, seed)
    check_op(
        dev,
        lambda t, i: t.select(i, axis_arg),
        [x, idx],
        np_fn=lambda a, i: np_gather(a, i[..., None], axis).squeeze(axis),
        torch_fn=lambda t, i: torch_gather(t, i[..., None], axis).squeeze(axis),
    )


@given(case=index_cases(new_dim=True))
def test_gather(dev, case):
    shape, axis_arg, axis, idx, seed = case
    x = arrays_of(shape, seed)
    check_op(
        dev,
        lambda t, i: t.gather(i, axis_arg),
        [x, idx],
        np_fn=lambda a, i: np_gather(a, i, axis),
        torch_fn=lambda t, i: torch_gather(t, i, axis),
    )


@given(
    shape=shapes(min_dims=1, max_dims=3),
    idx_shape=shapes(min_dims=0, max_dims=3),
    seed=st.integers(0, 1000),
)
def test_gather_axis0_any_index_rank(dev, shape, idx_shape, seed):
    """gather(idx, axis=0) with an index of any rank: x[idx] (an embedding lookup)."""
    x = arrays_of(shape, seed)
    idx = np.random.default_rng(seed).integers(0, shape[0], idx_shape, dtype=np.int64)
    if idx.ndim == 0:
        idx = idx.reshape(1)
    check_op(
        dev,
        lambda t, i: t.gather(i, axis=0),
        [x, idx],
        np_fn=lambda a, i: a[i],
        torch_fn=lambda t, i: t[i],
    )


@given(shape=shapes(min_dims=1, max_dims=4), data=st.data())
def test_select_int(dev, shape, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    i = data.draw(st.integers(-shape[axis], shape[axis] - 1))
    x = arrays_of(shape, data.draw(st.integers(0, 1000)))
    check_op(
        dev,
        lambda t: t.select(i, axis),
        [x],
        np_fn=lambda a: np.take(a, i, axis=axis),
        torch_fn=lambda t: torch.select(t, axis, i),
    )


def test_select_dfdx_examples(dev):
    t = dev.tensor([[1.0, 2.0, 3.0], [-1.0, -2.0, -3.0]], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    r = t.trace(grads).select(dev.tensor(0))
    assert r.numpy().tolist() == [1.0, 2.0, 3.0]
    r.mean().backward()
    np.testing.assert_allclose(grads.get(t).numpy(), [[1 / 3] * 3, [0.0] * 3])
    grads = dfdx.Gradients()
    r = t.trace(grads).select(dev.tensor([1, 1]))
    assert r.numpy().tolist() == [2.0, -2.0]
    r.mean().backward()
    assert grads.get(t).numpy().tolist() == [[0.0, 0.5, 0.0], [0.0, 0.5, 0.0]]
    assert t.select(1).numpy().tolist() == [-1.0, -2.0, -3.0]
    assert t.select(-1, axis=1).numpy().tolist() == [3.0, -3.0]
    assert t.select(dev.tensor([2, 0]), axis=-1).numpy().tolist() == [3.0, -1.0]


def test_gather_duplicates_add_up(dev):
    t = dev.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    r = t.trace(grads).gather(dev.tensor([0, 1, 2, 3, 4, 2, 4, 4]))
    assert r.numpy().tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 3.0, 5.0, 5.0]
    r.mean().backward()
    np.testing.assert_allclose(grads.get(t).numpy(), np.array([1, 1, 2, 1, 3]) / 8)


def test_gather_batched_dfdx_example(dev):
    """dfdx's batched gather: (4, 5) by (2, 3) -> (2, 3, 5), here with axis=0."""
    x = dev.tensor(np.arange(20.0).reshape(4, 5), dtype=dfdx.f64)
    grads = dfdx.Gradients()
    r = x.trace(grads).gather(dev.tensor([[2, 0, 3], [0, 0, 3]]), axis=0)
    assert r.shape == (2, 3, 5)
    xs = x.numpy()
    np.testing.assert_array_equal(r.numpy()[1], xs[[0, 0, 3]])
    r.sum().backward()
    assert grads.get(x).numpy().tolist() == [[3.0] * 5, [0.0] * 5, [1.0] * 5, [2.0] * 5]


def test_select_gather_ints_and_bools(dev):
    x = dev.tensor([[1, 2, 3], [4, 5, 6]])
    assert x.select(dev.tensor([2, 0])).numpy().tolist() == [3, 4]
    assert x.gather(dev.tensor([[0, 0], [2, 1]])).numpy().tolist() == [[1, 1], [6, 5]]
    b = dev.tensor([True, False])
    assert b.gather(dev.tensor([1, 1, 0])).numpy().tolist() == [False, False, True]
    assert b.gather(dev.tensor([1, 1, 0])).dtype is dfdx.bool_


def test_empty_index(dev):
    x = dev.zeros((3, 2))
    assert x.gather(dev.tensor(np.zeros((0,), dtype=np.int64))).shape == (0, 2)
    assert x.gather(dev.tensor(np.zeros((3, 0), dtype=np.int64))).shape == (3, 0)


def test_index_shape_errors(dev):
    x = dev.zeros((5, 3))
    with pytest.raises(
        dfdx.ShapeError,
        match=r"select: index shape \(7,\) does not fit x of shape \(5, 3\) at axis 1: "
        r"the index shape must be x.shape\[:1\] = \(5,\)",
    ):
        x.select(dev.tensor([0] * 7))
    with pytest.raises(dfdx.ShapeError, match=r"select: index shape \(5, 3\) does not fit"):
        x.select(dev.zeros((5, 3), dtype=dfdx.i64))
    with pytest.raises(
        dfdx.ShapeError, match=r"select: index shape \(\) does not fit .* at axis 1"
    ):
        x.select(dev.tensor(0), axis=1)
    with pytest.raises(dfdx.ShapeError, match=r"select: axis 2 is out of range for shape \(5, 3\)"):
        x.select(dev.tensor([0] * 5), axis=2)
    with pytest.raises(
        dfdx.ShapeError,
        match=r"gather: index shape \(7, 4\) does not fit x of shape \(5, 3, 1\) at axis 1: "
        r"the index shape must be x.shape\[:1\] \+ \(N,\) = \(5, N\)",
    ):
        dev.zeros((5, 3, 1)).gather(dev.zeros((7, 4), dtype=dfdx.i64))
    with pytest.raises(dfdx.ShapeError, match=r"gather: index shape \(\) .*rank >= 1"):
        x.gather(dev.tensor(0))
    with pytest.raises(
        dfdx.ShapeError, match=r"gather: index shape \(2, 2, 2\) .*at most x's rank"
    ):
        x.gather(dev.zeros((2, 2, 2), dtype=dfdx.i64))
    with pytest.raises(dfdx.ShapeError, match=r"gather: .*at axis 1.*\(5, N\)"):
        x.gather(dev.zeros((5,), dtype=dfdx.i64), axis=1)
    with pytest.raises(dfdx.ShapeError, match=r"select: a Rank0 tensor has no axis"):
        dev.tensor(1.0).select(0)


def test_index_value_errors(dev):
    x = dev.zeros((4, 5))
    with pytest.raises(
        IndexError,
        match=r"select: index 7 is out of range for axis 1 of size 5 "
        r"\(x shape \(4, 5\), index shape \(4,\)\)",
    ):
        x.select(dev.tensor([0, 7, 1, 2]))
    with pytest.raises(IndexError, match="select: index -1 is out of range for axis 0 of size 4"):
        x.select(dev.tensor(-1))
    with pytest.raises(IndexError, match="gather: index 5 is out of range for axis 0 of size 4"):
        x.gather(dev.tensor([[5, 0, 0], [0, 0, 0]]), axis=0)
    with pytest.raises(IndexError, match="select: index 4 is out of range for axis 0 of size 4"):
        x.select(4)
    with pytest.raises(IndexError, match="select: index -6 is out of range for axis 1 of size 5"):
        x.select(-6, axis=1)


def test_index_type_errors(dev):
    x = dev.zeros((4, 5))
    with pytest.raises(dfdx.DTypeError, match="select: indices must be an i64 tensor, got f32"):
        x.select(dev.zeros((4,)))
    with pytest.raises(dfdx.DTypeError, match="gather: indices must be an i64 tensor, got bool_"):
        x.gather(dev.tensor([True, False]))
    with pytest.raises(dfdx.DTypeError, match="select: indices must be integers"):
        x.select(1.0)
    with pytest.raises(TypeError, match="gather: indices must be an i64 tensor, got list"):
        x.gather([0, 1])
    with pytest.raises(TypeError, match="gather: indices must be an i64 tensor, got int"):
        x.gather(1)
    with pytest.raises(TypeError, match="select: indices must be an i64 tensor or a Python int"):
        x.select(True)
    with pytest.raises(dfdx.DeviceError, match="gather: tensors on different devices"):
        x.gather(OtherCpu().tensor([0, 1]))
