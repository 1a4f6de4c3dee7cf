import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import dfdx_py as dfdx
from dfdx_py import ops
from dfdx_py.devices.cpu import Cpu
from tests.checks import arrays_of, check_op, shapes


class OtherCpu(Cpu):
    """A Cpu that does not compare equal to the others (a stand-in for a second device)."""

    @property
    def key(self):
        return ("cpu", "other")


@st.composite
def concat_cases(draw):
    shape = draw(shapes(min_dims=1, max_dims=3))
    nd = len(shape)
    axis = draw(st.integers(-nd, nd - 1))
    n = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    seed = draw(st.integers(0, 1000))
    arrays = []
    for i, size in enumerate(sizes):
        s = list(shape)
        s[axis] = size
        arrays.append(arrays_of(tuple(s), seed + i))
    return arrays, axis


@given(case=concat_cases())
def test_concat(dev, case):
    arrays, axis = case
    check_op(
        dev,
        lambda *ts: ops.concat(ts, axis),
        arrays,
        np_fn=lambda *a: np.concatenate(a, axis=axis),
        torch_fn=lambda *t: torch.cat(t, dim=axis),
    )


def test_concat_values_and_grads(dev):
    a = dev.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=dfdx.f64)
    b = dev.tensor([[5.0], [6.0]], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    y = ops.concat([a.trace(grads), b], axis=-1)  # only a is traced
    assert y.numpy().tolist() == [[1.0, 2.0, 5.0], [3.0, 4.0, 6.0]]
    w = dev.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=dfdx.f64)
    (y * w).sum().backward()
    assert grads.get(a).numpy().tolist() == [[1.0, 2.0], [4.0, 5.0]]
    # the same tensor twice: its gradients add up
    grads = dfdx.Gradients()
    t = b.trace(grads)
    (ops.concat((t, t), axis=0) * 2.0).sum().backward()
    assert grads.get(b).numpy().tolist() == [[4.0], [4.0]]
    one = ops.concat((a,), axis=0)
    assert one.numpy().tolist() == a.numpy().tolist()


def test_concat_ints_and_bools(dev):
    a, b = dev.tensor([1, 2]), dev.tensor([3])
    y = ops.concat([a, b], axis=0)
    assert y.dtype is dfdx.i64 and y.numpy().tolist() == [1, 2, 3]
    bb = ops.concat([dev.tensor([True]), dev.tensor([False])], axis=0)
    assert bb.dtype is dfdx.bool_ and bb.numpy().tolist() == [True, False]


def test_concat_errors(dev):
    a, b = dev.zeros((2, 3)), dev.zeros((2, 4))
    with pytest.raises(
        dfdx.ShapeError,
        match=r"concat: shapes differ off the concat axis: \(2, 3\) vs \(2, 4\): axis 1: 3 != 4",
    ):
        ops.concat((a, b), axis=0)
    with pytest.raises(
        dfdx.ShapeError,
        match=r"concat: ranks differ: \(2, 3\) vs \(2, 3, 1\): rank 2 != 3 "
        r"\(tensor 0 vs tensor 2\)",
    ):
        ops.concat((a, a, dev.zeros((2, 3, 1))), axis=0)
    with pytest.raises(dfdx.ShapeError, match=r"concat: axis 2 is out of range for shape \(2, 3\)"):
        ops.concat((a, b), axis=2)
    with pytest.raises(dfdx.ShapeError, match="concat: needs at least one tensor"):
        ops.concat([], axis=0)
    with pytest.raises(TypeError, match="concat: expected a tuple or list of tensors, got Tensor"):
        ops.concat(a, axis=0)
    with pytest.raises(TypeError, match="concat: item 1 is a float"):
        ops.concat([a, 1.0], axis=0)
    with pytest.raises(dfdx.DTypeError, match="concat: dtypes differ: f32 and f64"):
        ops.concat((a, dev.zeros((2, 3), dtype=dfdx.f64)), axis=0)
    with pytest.raises(dfdx.DeviceError, match="concat: tensors on different devices"):
        ops.concat((a, OtherCpu().zeros((2, 3))), axis=0)
    with pytest.raises(dfdx.ShapeError, match=r"concat: axis 0 is out of range for shape \(\)"):
        ops.concat((dev.tensor(1.0), dev.tensor(2.0)), axis=0)


@st.composite
def stack_cases(draw):
    shape = draw(shapes(max_dims=3))
    nd = len(shape) + 1
    axis = draw(st.integers(-nd, nd - 1))
    n = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 1000))
    return [arrays_of(shape, seed + i) for i in range(n)], axis


@given(case=stack_cases())
def test_stack(dev, case):
    arrays, axis = case
    check_op(
        dev,
        lambda *ts: ops.stack(list(ts), axis),
        arrays,
        np_fn=lambda *a: np.stack(a, axis=axis),
        torch_fn=lambda *t: torch.stack(t, dim=axis),
    )


def test_stack_values_and_grads(dev):
    a = dev.tensor([1.0, 2.0], dtype=dfdx.f64)
    b = dev.tensor([3.0, 4.0], dtype=dfdx.f64)
    assert ops.stack((a, b)).numpy().tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert ops.stack((a, b), axis=-1).numpy().tolist() == [[1.0, 3.0], [2.0, 4.0]]
    assert ops.stack([dev.tensor(1.0), dev.tensor(2.0)]).numpy().tolist() == [1.0, 2.0]
    grads = dfdx.Gradients()
    y = ops.stack((a, b.trace(grads)), axis=1)
    w = dev.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=dfdx.f64)
    (y * w).sum().backward()
    assert grads.get(b).numpy().tolist() == [2.0, 4.0]
    i = ops.stack([dev.tensor([1, 2]), dev.tensor([3, 4])])
    assert i.dtype is dfdx.i64 and i.numpy().tolist() == [[1, 2], [3, 4]]


def test_stack_errors(dev):
    a = dev.zeros((2, 3))
    with pytest.raises(
        dfdx.ShapeError,
        match=r"stack: shapes differ: \(2, 3\) vs \(3, 2\): axis 0: 2 != 3 "
        r"\(tensor 0 vs tensor 1\)",
    ):
        ops.stack((a, dev.zeros((3, 2))))
    with pytest.raises(
        dfdx.ShapeError,
        match=r"stack: axis 3 is out of range for stacking tensors of shape \(2, 3\): "
        r"the new axis must be in range\(-3, 3\)",
    ):
        ops.stack((a, a), axis=3)
    with pytest.raises(dfdx.ShapeError, match="stack: axis -4"):
        ops.stack((a, a), axis=-4)
    with pytest.raises(dfdx.ShapeError, match="stack: needs at least one tensor"):
        ops.stack(())
    with pytest.raises(dfdx.DTypeError, match="stack: dtypes differ"):
        ops.stack((a, dev.zeros((2, 3), dtype=dfdx.f64)))
    with pytest.raises(dfdx.DeviceError, match="stack: tensors on different devices"):
        ops.stack((a, OtherCpu().zeros((2, 3))))
