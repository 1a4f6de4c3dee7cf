"""Conv1D, Conv2D and ConvTrans2D against torch.nn.functional with the same weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import dfdx_py as dfdx
from dfdx_py import f32, f64, nn
from dfdx_py.nn.bias import Bias2D
from dfdx_py.nn.conv import Conv1D, Conv2D, ConvTrans2D
from tests.checks import arrays_of, check_module_gradients


def torch_conv(module, x: np.ndarray) -> np.ndarray:
    """torch.nn.functional's convolution of ``x`` with the module's weight and arguments."""
    w = torch.from_numpy(module.weight.numpy())
    t = torch.from_numpy(x.astype(module.weight.numpy().dtype))
    s, p, d, g = module.stride, module.padding, module.dilation, module.groups
    if isinstance(module, Conv1D):
        return F.conv1d(t, w, None, s, p, d, g).numpy()
    if isinstance(module, ConvTrans2D):
        return F.conv_transpose2d(t, w, None, s, p, 0, g, d).numpy()
    return F.conv2d(t, w, None, s, p, d, g).numpy()


CASES = [  # (architecture, input shape)
    (Conv1D[2, 4, 3], (2, 2, 7)),
    (Conv1D[2, 4, 3, 2, 1], (2, 9)),
    (Conv1D[4, 6, 2, 1, 2, 2, 2], (3, 4, 8)),
    (Conv2D[3, 4, 3], (2, 3, 6, 5)),
    (Conv2D[3, 4, 3, 2, 1], (3, 7, 7)),
    (Conv2D[4, 6, 2, 1, 1, 2, 2], (2, 4, 5, 6)),
    (ConvTrans2D[3, 4, 3], (2, 3, 4, 5)),
    (ConvTrans2D[3, 2, 3, 2, 1], (3, 4, 4)),
    (ConvTrans2D[4, 6, 2, 2, 0, 2, 2], (2, 4, 3, 3)),
]


@pytest.mark.parametrize("dtype", [f64, f32])
@pytest.mark.parametrize(("arch", "shape"), CASES, ids=[repr(a) for a, _ in CASES])
def test_conv_matches_torch(dev, dtype, arch, shape):
    conv = dev.build_module(arch, dtype)
    x = arrays_of(shape, 0)
    y = conv(dev.tensor(x, dtype=dtype))
    want = torch_conv(conv, x)
    assert y.shape == want.shape and y.dtype is dtype
    tol = (1e-10, 1e-12) if dtype is f64 else (1e-5, 1e-5)
    np.testing.assert_allclose(y.numpy(), want, rtol=tol[0], atol=tol[1])


@pytest.mark.parametrize(
    ("arch", "ref"),
    [
        (Conv1D[4, 6, 3, 1, 0, 1, 2], torch.nn.Conv1d(4, 6, 3, groups=2, bias=False)),
        (Conv2D[4, 6, 3, 1, 0, 1, 2], torch.nn.Conv2d(4, 6, 3, groups=2, bias=False)),
        (
            ConvTrans2D[4, 6, 3, 1, 0, 1, 2],
            torch.nn.ConvTranspose2d(4, 6, 3, groups=2, bias=False),
        ),
    ],
)
def test_layout_matches_torch_state_dict(dev, arch, ref):
    conv = dev.build_module(arch, f32)
    assert {n: t.shape for n, t in conv.named_tensors()} == {
        n: tuple(t.shape) for n, t in ref.state_dict().items()
    }
    assert conv.num_params() == ref.weight.numel()


@pytest.mark.parametrize(
    ("arch", "fan_in"),
    [
        (Conv1D[8, 64, 5], 8 * 5),
        (Conv2D[8, 64, 3], 8 * 3 * 3),
        (Conv2D[8, 64, 3, 1, 0, 1, 4], 2 * 3 * 3),
        (ConvTrans2D[8, 64, 3], 8 * 3 * 3),
    ],
)
def test_initialisation_is_uniform_within_the_fan_in_bound(dev, arch, fan_in):
    w = dev.build_module(arch, f32).weight.numpy().ravel()
    bound = 1 / np.sqrt(fan_in)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.mean()) < 0.05 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.05 * bound  # U(-b, b) has std b/sqrt(3)


@pytest.mark.parametrize(
    ("arch", "shape"),
    [
        (Conv1D[2, 3, 2, 2, 1], (2, 2, 5)),
        (Conv2D[2, 2, 2, 1, 1, 1, 2], (2, 2, 3, 3)),
        (ConvTrans2D[2, 2, 2, 2, 1], (2, 3, 3)),
    ],
)
def test_gradients_of_input_and_weight(dev, arch, shape):
    conv = dev.build_module(arch, f64)
    check_module_gradients(dev, conv, [arrays_of(shape, 1)], rtol=1e-5, atol=1e-7)


def test_conv_with_bias2d_trains_like_torch(dev):
    """A (Conv2D, Bias2D) pair gets torch's Conv2d gradients for weight and bias."""
    model = dev.build_module(tuple[Conv2D[2, 3, 3, 1, 1], Bias2D[3], nn.ReLU], f64)
    model[1].bias._data = dev._from_numpy(np.array([0.1, -0.2, 0.3]))
    x = arrays_of((2, 2, 4, 4), 2)
    grads = model.alloc_grads()
    xt = dev.tensor(x, dtype=f64)
    model(xt.trace(grads)).square().mean().backward()
    ref = torch.nn.Conv2d(2, 3, 3, padding=1).double()
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(model[0].weight.numpy()))
        ref.bias.copy_(torch.from_numpy(model[1].bias.numpy()))
    tx = torch.from_numpy(x).requires_grad_(True)
    torch.relu(ref(tx)).square().mean().backward()
    np.testing.assert_allclose(grads.get(xt).numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(grads.get(model[0].weight).numpy(), ref.weight.grad.numpy())
    np.testing.assert_allclose(grads.get(model[1].bias).numpy(), ref.bias.grad.numpy())


@pytest.mark.parametrize(
    ("arch", "shape", "message"),
    [
        (Conv2D[3, 4, 3], (2, 4, 5, 5), r"nn.Conv2D\[3, 4, 3\] expects 3 input channels at axis 1"),
        (Conv2D[3, 4, 3], (4, 5, 5), r"expects 3 input channels at axis 0, got 4"),
        (Conv2D[3, 4, 3], (3, 5), r"expects an input \(In, H, W\) or \(B, In, H, W\)"),
        (Conv1D[3, 4, 3], (2, 3, 4, 5), r"nn.Conv1D\[3, 4, 3\] expects an input \(In, L\)"),
        (ConvTrans2D[3, 4, 3], (2, 4, 5), r"nn.ConvTrans2D\[3, 4, 3\] expects 3 input channels"),
        (Conv2D[3, 4, 5], (3, 4, 4), r"nn.Conv2D\[3, 4, 5\]: conv2d: kernel larger than"),
        (Conv1D[3, 4, 5, 1, 1], (3, 2), r"nn.Conv1D\[3, 4, 5, 1, 1\]: conv1d: kernel larger"),
        (ConvTrans2D[3, 4, 1, 1, 1], (3, 1, 1), r"nn.ConvTrans2D\[3, 4, 1, 1, 1\]: .*no output"),
    ],
)
def test_wrong_input(dev, arch, shape, message):
    with pytest.raises(dfdx.ShapeError, match=message):
        dev.build_module(arch, f32)(dev.zeros(shape))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Conv2D[3, 4, 3, 1, 0, 1, 2], r"groups=2 must divide in_channels=3"),
        (lambda: Conv2D[4, 3, 3, 1, 0, 1, 2], r"groups=2 must divide out_channels=3"),
        (lambda: ConvTrans2D[4, 6, 3, 1, 0, 1, 4], r"groups=4 must divide out_channels=6"),
        (lambda: Conv1D[3, 4, 0], r"kernel_size must be an int >= 1"),
        (lambda: Conv2D[3, 4, 3, 0], r"stride must be an int >= 1"),
        (lambda: Conv2D[3, 4, 3, 1, -1], r"padding must be an int >= 0"),
        (lambda: Conv2D[3, 4, 3, 1, 0, 0], r"dilation must be an int >= 1"),
        (lambda: Conv2D[3, 4, 3, 1, 0, 1, 0], r"groups must be an int >= 1"),
        (lambda: Conv2D[0, 4, 3], r"in_channels must be an int >= 1"),
        (lambda: Conv2D[3, 4], r"takes 3 to 7 arguments"),
        (lambda: Conv2D[3, 4, 2.5], r"kernel_size must be an int"),
    ],
)
def test_bad_architecture_arguments(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_defaults_fill_the_last_arguments():
    conv = Conv2D[3, 4, 5]
    assert (conv.stride, conv.padding, conv.dilation, conv.groups) == (1, 0, 1, 1)
    assert repr(conv) == "nn.Conv2D[3, 4, 5]"
