"""PReLU against torch.nn.PReLU, with the gradients of the input and the slope."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dfdx_py import f32, f64
from dfdx_py.nn.prelu import PReLU
from tests.checks import arrays_of, check_module_gradients


def test_layout_and_initialisation_match_torch(dev):
    act = dev.build_module(PReLU, f32)
    ref = torch.nn.PReLU()
    assert [(n, t.shape) for n, t in act.named_parameters()] == [
        (n, tuple(t.shape)) for n, t in ref.state_dict().items()
    ]
    np.testing.assert_array_equal(act.weight.numpy(), ref.weight.detach().numpy())  # 0.25


@pytest.mark.parametrize("dtype", [f64, f32])
@pytest.mark.parametrize("shape", [(), (5,), (2, 3, 4)])
def test_forward_matches_torch(dev, dtype, shape):
    act = dev.build_module(PReLU, dtype)
    act.weight._data = dev._from_numpy(np.array([-0.3], dtype=dtype.numpy))  # any slope
    x = arrays_of(shape, 0).astype(dtype.numpy)
    want = torch.nn.functional.prelu(
        torch.from_numpy(x),
        torch.tensor([-0.3], dtype=torch.float64 if dtype is f64 else torch.float32),
    )
    y = act(dev.tensor(x))
    assert y.dtype is dtype and y.shape == shape
    np.testing.assert_allclose(y.numpy(), want.numpy(), rtol=1e-6 if dtype is f32 else 1e-15)


def test_gradients_by_finite_differences(dev):
    act = dev.build_module(PReLU, f64)
    check_module_gradients(dev, act, [arrays_of((3, 4), 1)], rtol=1e-5, atol=1e-7)


def test_gradients_match_torch_including_zero(dev):
    """At x == 0 the gradient follows the negative side (slope), as torch's."""
    act = dev.build_module(PReLU, f64)
    x = np.array([[-2.0, 0.0, 3.0], [0.5, -0.1, 0.0]])
    grads = act.alloc_grads()
    xt = dev.tensor(x)
    (act(xt.trace(grads)) * dev.tensor(np.arange(6.0).reshape(2, 3))).sum().backward()
    ref = torch.nn.PReLU().double()
    tx = torch.from_numpy(x).requires_grad_(True)
    (ref(tx) * torch.arange(6.0, dtype=torch.float64).reshape(2, 3)).sum().backward()
    np.testing.assert_allclose(grads.get(xt).numpy(), tx.grad.numpy())
    np.testing.assert_allclose(grads.get(act.weight).numpy(), ref.weight.grad.numpy())
