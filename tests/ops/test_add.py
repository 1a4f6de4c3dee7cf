import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import dfdx_py as dfdx
from tests.checks import arrays_of, check_op, float_arrays, shapes


@given(shape=shapes(), seed=st.integers(0, 1000))
def test_add(dev, shape, seed):
    a, b = arrays_of(shape, seed), arrays_of(shape, seed + 1)
    check_op(dev, lambda x, y: x + y, [a, b], np_fn=np.add, torch_fn=torch.add)


@settings(max_examples=10)
@given(x=float_arrays())
def test_add_scalar(dev, x):
    check_op(dev, lambda t: t + 2.5, [x], np_fn=lambda a: a + 2.5, torch_fn=lambda t: t + 2.5)
    check_op(dev, lambda t: 2.5 + t, [x], np_fn=lambda a: 2.5 + a, torch_fn=lambda t: 2.5 + t)


def test_add_never_broadcasts(dev):
    a = dev.zeros((3, 1))
    b = dev.zeros((3,))
    with pytest.raises(dfdx.ShapeError, match=r"add: shapes differ: \(3, 1\) vs \(3,\)"):
        a + b


def test_add_mixed_dtypes(dev):
    with pytest.raises(dfdx.DTypeError, match="add"):
        dev.zeros((2,)) + dev.zeros((2,), dtype=dfdx.f64)


def test_add_i64(dev):
    x = dev.tensor([1, 2, 3])
    assert (x + x).numpy().tolist() == [2, 4, 6]
    assert (x + 1).dtype is dfdx.i64
    with pytest.raises(dfdx.DTypeError):
        x + 0.5
