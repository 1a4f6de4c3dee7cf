import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import dfdx_py as dfdx
from dfdx_py.ops import linear
from tests.checks import arrays_of, check_op


@given(
    lead=st.sampled_from([(), (3,), (2, 3)]),
    sizes=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    with_bias=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_linear(dev, lead, sizes, with_bias, seed):
    i, o = sizes
    x, w, b = arrays_of((*lead, i), seed), arrays_of((o, i), seed + 1), arrays_of((o,), seed + 2)
    if with_bias:
        check_op(dev, linear, [x, w, b], np_fn=lambda x, w, b: x @ w.T + b,
                 torch_fn=torch.nn.functional.linear)  # fmt: skip
    else:
        check_op(dev, linear, [x, w], np_fn=lambda x, w: x @ w.T,
                 torch_fn=torch.nn.functional.linear)  # fmt: skip


def test_linear_empty_and_exact(dev):
    x = dev.tensor([[1.0, 2.0]])
    w = dev.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    assert linear(x, w, dev.tensor([0.5, 0.5, 0.5])).numpy().tolist() == [[1.5, 2.5, 3.5]]
    assert linear(dev.zeros((0, 2)), w).shape == (0, 3)
    assert linear(dev.ones((4, 0)), dev.zeros((3, 0))).numpy().tolist() == [[0.0] * 3] * 4


def test_linear_errors(dev):
    w = dev.zeros((3, 2))
    with pytest.raises(dfdx.ShapeError, match=r"linear: inner dims differ: \(4, 5\) @ \(3, 2\)"):
        linear(dev.zeros((4, 5)), w)
    with pytest.raises(dfdx.ShapeError, match=r"linear: bias must be \(3,\)"):
        linear(dev.zeros((4, 2)), w, dev.zeros((2,)))
    with pytest.raises(dfdx.ShapeError, match="linear: weight must be"):
        linear(dev.zeros((4, 2)), dev.zeros((2,)))
    with pytest.raises(dfdx.DTypeError, match="linear: dtypes differ"):
        linear(dev.zeros((4, 2), dtype=dfdx.f64), w)
    with pytest.raises(dfdx.DTypeError, match="linear: not defined for i64"):
        linear(dev.tensor([[1, 2]]), dev.tensor([[1, 2]]))


def test_linear_backward_only_where_traced(dev):
    x = dev.tensor(np.ones((2, 3)), dtype=dfdx.f64)
    w = dev.tensor(np.arange(6.0).reshape(2, 3), dtype=dfdx.f64)
    grads = dfdx.Gradients()
    linear(x, w.trace(grads)).sum().backward()
    np.testing.assert_allclose(grads.get(w).numpy(), [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]])
