import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

import dfdx_py as dfdx
from dfdx_py.ops import upscale2d
from tests.checks import arrays_of, check_op


def np_upscale2d(x, size, mode):
    """dfdx's per-element formulas (nearest: floor(o·in/out); bilinear: aligned corners)."""
    h, w = x.shape[-2:]
    h2, w2 = size
    out = np.zeros((*x.shape[:-2], h2, w2), dtype=x.dtype)
    for i in range(h2):
        for j in range(w2):
            if mode == "nearest":
                yi = min(int(np.floor(np.float32(h) / np.float32(h2) * np.float32(i))), h - 1)
                xj = min(int(np.floor(np.float32(w) / np.float32(w2) * np.float32(j))), w - 1)
                out[..., i, j] = x[..., yi, xj]
            else:
                fy = i * (h - 1) / (h2 - 1) if h2 > 1 else 0.0
                fx = j * (w - 1) / (w2 - 1) if w2 > 1 else 0.0
                y0, x0 = min(int(fy), h - 1), min(int(fx), w - 1)
                y1, x1 = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
                wy, wx = fy - y0, fx - x0
                out[..., i, j] = (
                    x[..., y0, x0] * (1 - wy) * (1 - wx)
                    + x[..., y0, x1] * (1 - wy) * wx
                    + x[..., y1, x0] * wy * (1 - wx)
                    + x[..., y1, x1] * wy * wx
                )
    return out


def torch_upscale2d(t, size, mode):
    unbatched = t.ndim == 3
    if unbatched:
        t = t[None]
    kw = {"align_corners": True} if mode == "bilinear" else {}
    y = F.interpolate(t, size=size, mode=mode, **kw)
    return y[0] if unbatched else y


@st.composite
def upscale_cases(draw):
    lead = draw(st.sampled_from([(2,), (1, 2), (2, 1)]))
    h = draw(st.integers(1, 3))
    w = draw(st.integers(1, 3))
    size = (h + draw(st.integers(0, 4)), w + draw(st.integers(0, 4)))
    return (*lead, h, w), size


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@given(case=upscale_cases(), seed=st.integers(0, 1000))
def test_upscale2d(dev, mode, case, seed):
    shape, size = case
    x = arrays_of(shape, seed)
    check_op(
        dev,
        lambda t: upscale2d(t, size, mode),
        [x],
        np_fn=lambda a: np_upscale2d(a, size, mode),
        torch_fn=lambda t: torch_upscale2d(t, size, mode),
    )


def test_upscale2d_nearest_matches_torch_on_many_sizes(dev):
    # the f32 scale decides the index; compare every size pair up to 24 -> 64
    for n_in in range(1, 25):
        x = np.arange(n_in, dtype=np.float32).reshape(1, 1, 1, n_in)
        for n_out in range(n_in, 65):
            got = upscale2d(dev.tensor(x), (1, n_out)).numpy()
            want = F.interpolate(torch.from_numpy(x), size=(1, n_out)).numpy()
            np.testing.assert_array_equal(got, want, err_msg=f"{n_in} -> {n_out}")


def test_upscale2d_nearest_values(dev):
    # dfdx's test values
    x = dev.tensor([[[1.0, 0.0, 2.0], [2.0, 3.0, 4.0]]], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    y = upscale2d(x.trace(grads), (2, 7))
    assert y.numpy().tolist() == [[[1, 1, 1, 0, 0, 2, 2], [2, 2, 2, 3, 3, 4, 4]]]
    y.exp().mean().backward()
    np.testing.assert_allclose(
        grads.get(x).numpy(),
        [[[0.582488963, 0.142857143, 1.055579443], [1.583369164, 2.869362418, 7.799735719]]],
        rtol=1e-8,
    )


def test_upscale2d_bilinear_values(dev):
    # dfdx's test values (aligned corners)
    x = dev.tensor([[[1.0, 0.0], [2.0, 3.0]]], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    y = upscale2d(x.trace(grads), (4, 4), "bilinear")
    np.testing.assert_allclose(
        y.numpy(),
        [
            [
                [1.0, 2 / 3, 1 / 3, 0.0],
                [4 / 3, 11 / 9, 10 / 9, 1.0],
                [5 / 3, 16 / 9, 17 / 9, 2.0],
                [2.0, 7 / 3, 8 / 3, 3.0],
            ]
        ],
        rtol=1e-12,
    )
    y.exp().mean().backward()
    np.testing.assert_allclose(
        grads.get(x).numpy(), [[[0.8130764, 0.6928807], [1.8153939, 2.7659647]]], rtol=1e-6
    )


def test_upscale2d_same_size_is_identity(dev):
    x = arrays_of((2, 3, 4, 5), 0)
    for mode in ("nearest", "bilinear"):
        y = upscale2d(dev.tensor(x, dtype=dfdx.f64), (4, 5), mode)
        np.testing.assert_allclose(y.numpy(), x, rtol=1e-15)


@pytest.mark.parametrize("dtype", [dfdx.f32, dfdx.f64])
def test_upscale2d_keeps_dtype(dev, dtype):
    for mode in ("nearest", "bilinear"):
        y = upscale2d(dev.ones((1, 2, 2, 3), dtype=dtype), (4, 5), mode)
        assert y.dtype is dtype
        assert y.shape == (1, 2, 4, 5)
        assert y.numpy().dtype == dtype.numpy


def test_upscale2d_errors(dev):
    with pytest.raises(
        dfdx.ShapeError,
        match=r"upscale2d: size \(3, 8\) is smaller than x \(2, 4, 6\): axis 1: 3 < 4",
    ):
        upscale2d(dev.zeros((2, 4, 6)), (3, 8))
    with pytest.raises(dfdx.ShapeError, match=r"axis 3: 5 < 6"):
        upscale2d(dev.zeros((1, 2, 4, 6)), (8, 5))
    with pytest.raises(ValueError, match="upscale2d: mode must be 'nearest' or 'bilinear'"):
        upscale2d(dev.zeros((1, 2, 2)), (4, 4), "bicubic")
    with pytest.raises(dfdx.ShapeError, match=r"upscale2d: x must be .* got shape \(2, 2\)"):
        upscale2d(dev.zeros((2, 2)), (4, 4))
    with pytest.raises(dfdx.ShapeError, match="upscale2d: size must be a pair of ints"):
        upscale2d(dev.zeros((1, 2, 2)), 4)
    with pytest.raises(dfdx.DTypeError, match="upscale2d: not defined for i64"):
        upscale2d(dev.tensor(np.ones((1, 2, 2), dtype=np.int64)), (4, 4))
