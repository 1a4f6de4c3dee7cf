"""Flatten2D, Reshape and Upscale2D."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import dfdx_py as dfdx
from dfdx_py import f32, f64, nn
from dfdx_py.nn.conv import Conv2D
from dfdx_py.nn.reshape import Flatten2D, Reshape, Upscale2D
from tests.checks import arrays_of, check_backward

# -- Flatten2D ------------------------------------------------------------------------------


@pytest.mark.parametrize(("shape", "out"), [((3, 4, 5), (60,)), ((2, 3, 4, 5), (2, 60))])
def test_flatten2d_matches_torch_flatten(dev, shape, out):
    x = arrays_of(shape, 0)
    y = dev.build_module(Flatten2D, f64)(dev.tensor(x))
    assert y.shape == out
    np.testing.assert_array_equal(y.numpy(), torch.nn.Flatten(-3)(torch.from_numpy(x)).numpy())


def test_flatten2d_in_a_cnn(dev):
    model = dev.build_module(tuple[Conv2D[1, 2, 3], Flatten2D, nn.Linear[2 * 4 * 4, 3]], f64)
    assert model(dev.zeros((5, 1, 6, 6), dtype=f64)).shape == (5, 3)
    check_backward(dev, lambda t: dev.build_module(Flatten2D, f64)(t), [arrays_of((2, 2, 3), 1)])


@pytest.mark.parametrize("shape", [(60,), (4, 5), (1, 2, 3, 4, 5)])
def test_flatten2d_wrong_rank(dev, shape):
    with pytest.raises(dfdx.ShapeError, match=r"nn.Flatten2D expects an input \(C, H, W\)"):
        dev.build_module(Flatten2D, f32)(dev.zeros(shape))


# -- Reshape --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arch", "shape", "out"),
    [
        (Reshape[12], (3, 4), (12,)),
        (Reshape[-1, 4, 4], (8, 16), (8, 4, 4)),
        (Reshape[2, -1], (2, 3, 4), (2, 12)),
        (Reshape[1, 1, 1, 2, 3, 4], (24,), (1, 1, 1, 2, 3, 4)),
    ],
)
def test_reshape_is_the_reshape_written(dev, arch, shape, out):
    x = arrays_of(shape, 2)
    y = dev.build_module(arch, f64)(dev.tensor(x))
    assert y.shape == out
    np.testing.assert_array_equal(y.numpy(), x.reshape(out))


def test_reshape_gradient(dev):
    model = dev.build_module(Reshape[3, -1], f64)
    check_backward(dev, model, [arrays_of((2, 3), 3)])


def test_reshape_arguments():
    assert Reshape[2, -1].shape == (2, -1)
    assert Reshape[(2, 3)] is Reshape[2, 3]
    assert repr(Reshape[-1, 4]) == "nn.Reshape[-1, 4]"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Reshape[-1, -1], "at most one dim may be -1"),
        (lambda: Reshape[2, -2], r"each dim must be an int >= 0 or -1, got -2"),
        (lambda: Reshape[2, "3"], r"each dim must be an int >= 0 or -1, got '3'"),
        (lambda: Reshape[1, 2, 3, 4, 5, 6, 7], "takes 1 to 6 dims, got 7"),
        (lambda: Reshape[()], "takes 1 to 6 dims, got 0"),
        (lambda: Reshape[2][2], "already has its arguments"),
    ],
)
def test_reshape_bad_arguments(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_reshape_errors_name_the_module(dev):
    with pytest.raises(TypeError, match=r"nn.Reshape needs its arguments"):
        dev.build_module(Reshape, f32)
    with pytest.raises(dfdx.ShapeError, match=r"nn.Reshape\[5, -1\]: reshape"):
        dev.build_module(Reshape[5, -1], f32)(dev.zeros((3, 4)))
    with pytest.raises(dfdx.ShapeError, match=r"nn.Reshape\[2, 5\]: reshape"):
        dev.build_module(Reshape[2, 5], f32)(dev.zeros((3, 4)))


# -- Upscale2D ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [f64, f32])
@pytest.mark.parametrize(
    ("arch", "shape", "torch_kwargs"),
    [
        (Upscale2D[6, 8], (2, 3, 3, 4), {"mode": "nearest"}),
        (Upscale2D[5, 7, "nearest"], (3, 2, 3), {"mode": "nearest"}),
        (Upscale2D[6, 7, "bilinear"], (2, 2, 3, 4), {"mode": "bilinear", "align_corners": True}),
        (Upscale2D[4, 4, "bilinear"], (2, 2, 2), {"mode": "bilinear", "align_corners": True}),
    ],
)
def test_upscale2d_matches_torch_interpolate(dev, dtype, arch, shape, torch_kwargs):
    x = arrays_of(shape, 4)
    y = dev.build_module(arch, dtype)(dev.tensor(x, dtype=dtype))
    t = torch.from_numpy(x.astype(dtype.numpy))
    size = (arch.height, arch.width)
    want = F.interpolate(t[None] if t.ndim == 3 else t, size=size, **torch_kwargs)
    want = want[0] if t.ndim == 3 else want
    assert y.shape == tuple(want.shape) and y.dtype is dtype
    tol = 1e-12 if dtype is f64 else 1e-6
    np.testing.assert_allclose(y.numpy(), want.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_upscale2d_gradient(dev, mode):
    model = dev.build_module(Upscale2D[4, 5, mode], f64)
    kwargs = {"align_corners": True} if mode == "bilinear" else {}
    check_backward(
        dev,
        model,
        [arrays_of((1, 2, 3, 3), 5)],
        torch_fn=lambda t: F.interpolate(t, size=(4, 5), mode=mode, **kwargs),
    )


def test_upscale2d_arguments():
    assert Upscale2D[4, 6].mode == "nearest"
    assert (Upscale2D[4, 6, "bilinear"].height, Upscale2D[4, 6, "bilinear"].width) == (4, 6)
    assert repr(Upscale2D[4, 6, "bilinear"]) == "nn.Upscale2D[4, 6, 'bilinear']"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Upscale2D[4, 4, "bicubic"], "mode must be 'nearest' or 'bilinear', got 'bicubic'"),
        (lambda: Upscale2D[4, 4, 1], "mode must be 'nearest' or 'bilinear', got 1"),
        (lambda: Upscale2D[4], r"takes 2 to 3 arguments \(height, width, mode\), got 1"),
        (lambda: Upscale2D[0, 4], "height must be an int >= 1, got 0"),
        (lambda: Upscale2D[4, "4"], "width must be an int >= 1, got '4'"),
        (lambda: Upscale2D[4, 4][4, 4], "already has its arguments"),
    ],
)
def test_upscale2d_bad_arguments(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_upscale2d_wrong_input(dev):
    model = dev.build_module(Upscale2D[4, 4], f32)
    with pytest.raises(dfdx.ShapeError, match=r"nn.Upscale2D\[4, 4\] expects an input \(C, H, W\)"):
        model(dev.zeros((4, 4)))
    with pytest.raises(dfdx.ShapeError, match=r"nn.Upscale2D\[4, 4\]: upscale2d: size \(4, 4\)"):
        model(dev.zeros((1, 5, 3)))


def test_upscale_mode_as_a_literal_type(dev):
    import typing

    up = dev.build_module(nn.Upscale2D[4, 4, typing.Literal["bilinear"]], dfdx.f32)
    assert up.mode == "bilinear" and up(dev.zeros((1, 2, 2))).shape == (1, 4, 4)
