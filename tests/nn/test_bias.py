"""Bias1D and Bias2D: values, gradients and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import dfdx_py as dfdx
from dfdx_py import f32, f64
from dfdx_py.nn.bias import Bias1D, Bias2D
from dfdx_py.nn.conv import Conv2D
from tests.checks import arrays_of, check_module_gradients
from tests.nn.test_norm import randomise


@pytest.mark.parametrize("module", [Bias1D, Bias2D])
def test_bias_starts_at_zero(dev, module):
    b = dev.build_module(module[4], f32)
    assert [(n, t.shape) for n, t in b.named_parameters()] == [("bias", (4,))]
    np.testing.assert_array_equal(b.bias.numpy(), np.zeros(4))


@pytest.mark.parametrize("dtype", [f64, f32])
@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 4)])
def test_bias1d_adds_along_the_last_axis(dev, dtype, shape):
    b = dev.build_module(Bias1D[4], dtype)
    randomise(b, 0)
    x = arrays_of(shape, 1).astype(dtype.numpy)
    y = b(dev.tensor(x))
    assert y.dtype is dtype
    np.testing.assert_array_equal(y.numpy(), x + b.bias.numpy())


@pytest.mark.parametrize("dtype", [f64, f32])
@pytest.mark.parametrize("shape", [(4, 2, 3), (2, 4, 2, 3)])
def test_bias2d_matches_torch_conv_bias(dev, dtype, shape):
    """Conv2D then Bias2D is torch's Conv2d with a bias."""
    conv = dev.build_module(Conv2D[4, 4, 1], dtype)
    b = dev.build_module(Bias2D[4], dtype)
    randomise(b, 2)
    x = arrays_of(shape, 3).astype(dtype.numpy)
    y = b(conv(dev.tensor(x)))
    want = torch.nn.functional.conv2d(
        torch.from_numpy(x), torch.from_numpy(conv.weight.numpy()), torch.from_numpy(b.bias.numpy())
    )
    tol = (1e-12, 1e-12) if dtype is f64 else (1e-5, 1e-6)
    np.testing.assert_allclose(y.numpy(), want.numpy(), rtol=tol[0], atol=tol[1])


@pytest.mark.parametrize(
    ("module", "shape"),
    [(Bias1D, (2, 3)), (Bias1D, (3,)), (Bias2D, (3, 2, 2)), (Bias2D, (2, 3, 2, 1))],
)
def test_bias_gradients(dev, module, shape):
    b = dev.build_module(module[3], f64)
    randomise(b, 4)
    check_module_gradients(dev, b, [arrays_of(shape, 5)], rtol=1e-5, atol=1e-7)


def test_bias_wrong_input(dev):
    with pytest.raises(dfdx.ShapeError, match=r"nn.Bias1D\[3\] expects last dim 3, got 4"):
        dev.build_module(Bias1D[3], f32)(dev.zeros((2, 4)))
    b2 = dev.build_module(Bias2D[3], f32)
    with pytest.raises(
        dfdx.ShapeError,
        match=r"nn.Bias2D\[3\] expects an input \(C, H, W\) or \(B, C, H, W\) with C = 3, "
        r"got shape \(2, 4, 5, 5\)",
    ):
        b2(dev.zeros((2, 4, 5, 5)))
    with pytest.raises(dfdx.ShapeError, match=r"nn.Bias2D\[3\] expects an input"):
        b2(dev.zeros((3, 5)))
