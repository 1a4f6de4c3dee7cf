"""The six pooling layers against PyTorch, with their gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import dfdx_py as dfdx
from dfdx_py import f32, f64
from dfdx_py.nn.pool import (
    AvgPool2D,
    AvgPoolGlobal,
    MaxPool2D,
    MaxPoolGlobal,
    MinPool2D,
    MinPoolGlobal,
)
from tests.checks import arrays_of, check_backward

TORCH_POOLS = {
    AvgPool2D: lambda x, k, s, p: F.avg_pool2d(x, k, s, p),
    MaxPool2D: lambda x, k, s, p: F.max_pool2d(x, k, s, p),
    MinPool2D: lambda x, k, s, p: -F.max_pool2d(-x, k, s, p),
}


@pytest.mark.parametrize("dtype", [f64, f32])
@pytest.mark.parametrize("module", [AvgPool2D, MaxPool2D, MinPool2D])
@pytest.mark.parametrize(
    ("args", "shape"),
    [((2,), (2, 3, 5, 4)), ((3, 2, 1), (3, 7, 6)), ((2, 2), (1, 2, 6, 6))],
)
def test_windowed_pools_match_torch(dev, dtype, module, args, shape):
    pool = dev.build_module(module[args], dtype)
    x = arrays_of(shape, 0)
    y = pool(dev.tensor(x, dtype=dtype))
    k, s, p = pool.kernel_size, pool.stride, pool.padding  # the defaults filled in
    want = TORCH_POOLS[module](torch.from_numpy(x.astype(dtype.numpy)), k, s, p).numpy()
    assert y.shape == want.shape and y.dtype is dtype
    tol = (1e-12, 1e-12) if dtype is f64 else (1e-6, 1e-6)
    np.testing.assert_allclose(y.numpy(), want, rtol=tol[0], atol=tol[1])


def test_defaults_are_dfdx_stride_one_and_no_padding():
    assert (AvgPool2D[3].kernel_size, AvgPool2D[3].stride, AvgPool2D[3].padding) == (3, 1, 0)
    assert repr(MaxPool2D[3, 2]) == "nn.MaxPool2D[3, 2]"


@pytest.mark.parametrize("dtype", [f64, f32])
@pytest.mark.parametrize(
    ("module", "reduce"),
    [
        (AvgPoolGlobal, lambda t: t.mean((-2, -1))),
        (MaxPoolGlobal, lambda t: t.amax((-2, -1))),
        (MinPoolGlobal, lambda t: t.amin((-2, -1))),
    ],
)
@pytest.mark.parametrize("shape", [(3, 4, 5), (2, 3, 4, 5)])
def test_global_pools_match_torch(dev, dtype, module, reduce, shape):
    x = arrays_of(shape, 1)
    y = dev.build_module(module, dtype)(dev.tensor(x, dtype=dtype))
    want = reduce(torch.from_numpy(x.astype(dtype.numpy))).numpy()
    assert y.shape == shape[:-2] and y.dtype is dtype
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-6 if dtype is f32 else 1e-12)


def test_avg_pool_global_equals_torch_adaptive_avg_pool(dev):
    x = arrays_of((2, 3, 4, 4), 2)
    y = dev.build_module(AvgPoolGlobal, f64)(dev.tensor(x))
    want = torch.nn.AdaptiveAvgPool2d(1)(torch.from_numpy(x)).flatten(1)
    np.testing.assert_allclose(y.numpy(), want.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    "arch",
    [
        AvgPool2D[2, 1, 1],
        MaxPool2D[2, 2],
        MinPool2D[3, 1, 1],
        AvgPoolGlobal,
        MaxPoolGlobal,
        MinPoolGlobal,
    ],
)
def test_gradients_by_finite_differences_and_torch(dev, arch):
    pool = dev.build_module(arch, f64)
    # distinct values with gaps: no ties, so max/min gradients agree with torch's
    x = np.random.default_rng(3).permutation(2 * 2 * 4 * 4).reshape(2, 2, 4, 4) / 7.0
    torch_fn = None
    for base, reference in TORCH_POOLS.items():
        if issubclass(arch, base):

            def torch_fn(t, reference=reference):
                return reference(t, arch.kernel_size, arch.stride, arch.padding)

    check_backward(dev, lambda t: pool(t), [x], torch_fn=torch_fn)


@pytest.mark.parametrize(
    ("arch", "shape", "message"),
    [
        (MaxPool2D[2], (4, 4), r"nn.MaxPool2D\[2\] expects an input \(C, H, W\) or"),
        (AvgPool2D[2], (1, 2, 3, 4, 4), r"nn.AvgPool2D\[2\] expects an input"),
        (AvgPool2D[5], (2, 4, 4), r"nn.AvgPool2D\[5\]: pool2d: kernel larger than the padded"),
        (MinPoolGlobal, (4,), r"nn.MinPoolGlobal expects an input \(C, H, W\) or"),
        (AvgPoolGlobal, (2, 2, 2, 2, 2), r"nn.AvgPoolGlobal expects an input"),
    ],
)
def test_wrong_input(dev, arch, shape, message):
    with pytest.raises(dfdx.ShapeError, match=message):
        dev.build_module(arch, f32)(dev.zeros(shape))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: MaxPool2D[0], "kernel_size must be an int >= 1"),
        (lambda: MaxPool2D[2, 0], "stride must be an int >= 1"),
        (lambda: AvgPool2D[2, 1, 2], "padding 2 must be smaller than the kernel 2"),
        (lambda: MinPool2D[2, 1, -1], "padding must be an int >= 0"),
        (lambda: MinPool2D[2, 1, 0, 4], "takes 1 to 3 arguments"),
        (lambda: MaxPoolGlobal[2], "takes 0 arguments"),
    ],
)
def test_bad_architecture_arguments(make, message):
    with pytest.raises(TypeError, match=message):
        make()
