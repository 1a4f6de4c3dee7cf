"""Embedding against torch.nn.functional.embedding, with the weight's gradient."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import dfdx_py as dfdx
from dfdx_py import f32, f64
from dfdx_py.nn.embedding import Embedding
from tests.checks import check_backward


def test_layout_and_initialisation_match_torch(dev):
    emb = dev.build_module(Embedding[200, 50], f32)
    ref = torch.nn.Embedding(200, 50)
    assert {n: t.shape for n, t in emb.named_tensors()} == {
        n: tuple(t.shape) for n, t in ref.state_dict().items()
    }
    w = emb.weight.numpy()
    assert w.dtype == np.float32
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1.0) < 0.02  # N(0, 1), 10000 samples
    assert np.abs(w).max() > 3.0  # a normal's tails, not a bounded uniform
    assert emb.num_params() == 200 * 50


@pytest.mark.parametrize("dtype", [f64, f32])
@pytest.mark.parametrize("shape", [(), (5,), (2, 3), (2, 3, 4)])
def test_forward_matches_torch(dev, dtype, shape):
    emb = dev.build_module(Embedding[7, 3], dtype)
    idx = np.random.default_rng(0).integers(0, 7, shape)
    y = emb(dev.tensor(idx))
    want = torch.nn.functional.embedding(
        torch.from_numpy(idx), torch.from_numpy(emb.weight.numpy())
    )
    assert y.shape == (*shape, 3) and y.dtype is dtype
    np.testing.assert_array_equal(y.numpy(), want.numpy())  # a lookup is exact


def test_weight_gradient_adds_up_over_repeated_indices(dev):
    idx = np.array([[0, 2, 2], [2, 4, 0]])
    weight = np.random.default_rng(1).standard_normal((5, 3))

    def embed(w, i):
        emb = dev.build_module(Embedding[5, 3], f64)
        emb.weight = w
        return emb(i)

    check_backward(
        dev,
        embed,
        [weight, idx],
        torch_fn=lambda w, i: torch.nn.functional.embedding(i, w),
    )
    grads = dfdx.Gradients()
    w = dev.tensor(weight, dtype=f64)
    emb = dev.build_module(Embedding[5, 3], f64)
    emb.weight = w.trace(grads)
    emb(dev.tensor(idx)).sum().backward()
    np.testing.assert_array_equal(grads.get(w).numpy()[:, 0], [2.0, 0.0, 3.0, 0.0, 1.0])


def test_wrong_inputs(dev):
    emb = dev.build_module(Embedding[5, 3], f32)
    with pytest.raises(dfdx.DTypeError, match=r"nn.Embedding\[5, 3\] expects an i64 tensor"):
        emb(dev.zeros((2,)))
    with pytest.raises(dfdx.DTypeError, match="expects an i64 tensor of indices, got list"):
        emb([1, 2])
    with pytest.raises(IndexError, match=r"nn.Embedding\[5, 3\].*index 5 is out of range"):
        emb(dev.tensor([1, 5]))
    with pytest.raises(IndexError, match="out of range"):
        emb(dev.tensor([-1]))
    with pytest.raises(TypeError, match="takes 2 arguments"):
        Embedding[5]
