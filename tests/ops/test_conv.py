import numpy as np
import pytest
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import dfdx_py as dfdx
from dfdx_py.devices.cpu import Cpu
from dfdx_py.ops import conv1d, conv2d, conv_transpose2d
from tests.checks import arrays_of, check_op

F32_TOL = (1e-4, 1e-5)  # sums of up to a few dozen f32 products


class OtherCpu(Cpu):
    """A device that does not share memory with the Cpu, to provoke DeviceError."""

    @property
    def key(self):
        return ("cpu", "other")


# -- NumPy references: direct loops over output (or input) positions ----------------------


def _pair(v):
    return v if isinstance(v, tuple) else (v, v)


def np_conv2d(x, w, stride=1, padding=0, dilation=1, groups=1):
    unbatched = x.ndim == 3
    if unbatched:
        x = x[None]
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    b, _, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    og = o // groups
    out = np.zeros((b, o, ho, wo), dtype=x.dtype)
    for oc in range(o):
        xs = xp[:, (oc // og) * cg : (oc // og + 1) * cg]
        for i in range(ho):
            for j in range(wo):
                patch = xs[
                    :,
                    :,
                    i * sh : i * sh + dh * (kh - 1) + 1 : dh,
                    j * sw : j * sw + dw * (kw - 1) + 1 : dw,
                ]
                out[:, oc, i, j] = np.tensordot(patch, w[oc], axes=3)
    return out[0] if unbatched else out


def np_conv_transpose2d(x, w, stride=1, padding=0, dilation=1, groups=1, output_padding=0):
    unbatched = x.ndim == 3
    if unbatched:
        x = x[None]
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    oph, opw = _pair(output_padding)
    b, c, h, wd = x.shape
    _, og, kh, kw = w.shape
    cg = c // groups
    full = np.zeros(
        (
            b,
            og * groups,
            (h - 1) * sh + dh * (kh - 1) + 1 + oph,
            (wd - 1) * sw + dw * (kw - 1) + 1 + opw,
        ),
        dtype=x.dtype,
    )
    for ic in range(c):
        g = ic // cg
        for i in range(h):
            for j in range(wd):
                for a in range(kh):
                    for e in range(kw):
                        full[:, g * og : (g + 1) * og, i * sh + a * dh, j * sw + e * dw] += (
                            x[:, ic, i, j][:, None] * w[ic, :, a, e][None, :]
                        )
    ho = full.shape[2] - 2 * ph
    wo = full.shape[3] - 2 * pw
    out = full[:, :, ph : ph + ho, pw : pw + wo]
    return out[0] if unbatched else out


def np_conv1d(x, w, stride=1, padding=0, dilation=1, groups=1):
    y = np_conv2d(
        x[..., None, :], w[:, :, None, :], (1, stride), (0, padding), (1, dilation), groups
    )
    return y[..., 0, :]


# -- hypothesis cases ----------------------------------------------------------------------


@st.composite
def conv_params(draw, max_k=3):
    """(batch, groups, cg, og, kernel, stride, padding, dilation) for a small conv."""
    batch = draw(st.sampled_from([None, 1, 2]))
    groups = draw(st.integers(1, 2))
    cg = draw(st.integers(1, 2))
    og = draw(st.integers(1, 2))
    k = draw(st.integers(1, max_k))
    stride = draw(st.integers(1, 2))
    padding = draw(st.integers(0, 2))
    dilation = draw(st.integers(1, 2))
    return batch, groups, cg, og, k, stride, padding, dilation


def _min_size(k, padding, dilation):
    return max(1, dilation * (k - 1) + 1 - 2 * padding)


@settings(max_examples=40)
@given(
    params=conv_params(),
    extra=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    seed=st.integers(0, 1000),
)
def test_conv2d(dev, params, extra, seed):
    batch, groups, cg, og, k, s, p, d = params
    h = _min_size(k, p, d) + extra[0]
    w = _min_size(k, p, d) + extra[1]
    lead = () if batch is None else (batch,)
    x = arrays_of((*lead, groups * cg, h, w), seed)
    wt = arrays_of((groups * og, cg, k, k), seed + 1)
    check_op(
        dev,
        lambda a, b: conv2d(a, b, stride=s, padding=p, dilation=d, groups=groups),
        [x, wt],
        np_fn=lambda a, b: np_conv2d(a, b, s, p, d, groups),
        torch_fn=lambda a, b: F.conv2d(a, b, None, s, p, d, groups),
        f32_tol=F32_TOL,
    )


@settings(max_examples=10)
@given(
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    padding=st.tuples(st.integers(0, 1), st.integers(0, 1)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    seed=st.integers(0, 1000),
)
def test_conv2d_rectangular(dev, kernel, stride, padding, dilation, seed):
    kh, kw = kernel
    h = _min_size(kh, padding[0], dilation[0]) + 1
    w = _min_size(kw, padding[1], dilation[1]) + 2
    x = arrays_of((2, 2, h, w), seed)
    wt = arrays_of((3, 2, kh, kw), seed + 1)
    check_op(
        dev,
        lambda a, b: conv2d(a, b, stride, padding, dilation),
        [x, wt],
        np_fn=lambda a, b: np_conv2d(a, b, stride, padding, dilation),
        torch_fn=lambda a, b: F.conv2d(a, b, None, stride, padding, dilation),
        f32_tol=F32_TOL,
    )


@given(params=conv_params(), extra=st.integers(0, 4), seed=st.integers(0, 1000))
def test_conv1d(dev, params, extra, seed):
    batch, groups, cg, og, k, s, p, d = params
    length = _min_size(k, p, d) + extra
    lead = () if batch is None else (batch,)
    x = arrays_of((*lead, groups * cg, length), seed)
    wt = arrays_of((groups * og, cg, k), seed + 1)
    check_op(
        dev,
        lambda a, b: conv1d(a, b, stride=s, padding=p, dilation=d, groups=groups),
        [x, wt],
        np_fn=lambda a, b: np_conv1d(a, b, s, p, d, groups),
        torch_fn=lambda a, b: F.conv1d(a, b, None, s, p, d, groups),
        f32_tol=F32_TOL,
    )


@settings(max_examples=40)
@given(
    params=conv_params(),
    size=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    op=st.integers(0, 1),
    seed=st.integers(0, 1000),
)
def test_conv_transpose2d(dev, params, size, op, seed):
    batch, groups, cg, og, k, s, p, d = params
    op = min(op, max(s, d) - 1)
    h, w = size
    # the output must be at least 1x1
    p = min(p, ((min(h, w) - 1) * s + d * (k - 1) + op) // 2)
    lead = () if batch is None else (batch,)
    x = arrays_of((*lead, groups * cg, h, w), seed)
    wt = arrays_of((groups * cg, og, k, k), seed + 1)
    check_op(
        dev,
        lambda a, b: conv_transpose2d(a, b, s, p, d, groups, output_padding=op),
        [x, wt],
        np_fn=lambda a, b: np_conv_transpose2d(a, b, s, p, d, groups, op),
        torch_fn=lambda a, b: F.conv_transpose2d(a, b, None, s, p, op, groups, d),
        f32_tol=F32_TOL,
    )


# -- known values and properties -----------------------------------------------------------


def test_conv2d_values(dev):
    x = dev.tensor(np.arange(9.0).reshape(1, 3, 3), dtype=dfdx.f64)
    w = dev.tensor(np.ones((1, 1, 2, 2)), dtype=dfdx.f64)
    assert conv2d(x, w).numpy().tolist() == [[[8.0, 12.0], [20.0, 24.0]]]
    y = conv2d(x, w, padding=1, stride=2)
    assert y.numpy().tolist() == [[[0.0, 3.0], [9.0, 24.0]]]
    assert y.dtype is dfdx.f64
    # parameters may be pairs (tuples or lists) and numpy ints
    y2 = conv2d(x, w, padding=[np.int64(1), 1], stride=(2, np.int64(2)))
    assert y2.numpy().tolist() == y.numpy().tolist()


def test_conv2d_grads_known(dev):
    # sum(conv2d(x, ones 2x2)) counts how many windows see each pixel
    grads = dfdx.Gradients()
    x = dev.tensor(np.arange(9.0).reshape(1, 1, 3, 3), dtype=dfdx.f64)
    w = dev.tensor(np.ones((1, 1, 2, 2)), dtype=dfdx.f64)
    conv2d(x.trace(grads), w.trace(grads)).sum().backward()
    assert grads.get(x).numpy()[0, 0].tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    assert grads.get(w).numpy()[0, 0].tolist() == [[8, 12], [20, 24]]


def test_conv_transpose2d_is_conv2d_input_gradient(dev):
    x = arrays_of((2, 4, 7, 6), 0)
    w = arrays_of((6, 2, 3, 3), 1)
    grads = dfdx.Gradients()
    xt = dev.tensor(x, dtype=dfdx.f64)
    y = conv2d(xt.trace(grads), dev.tensor(w, dtype=dfdx.f64), 2, 1, 1, 2)
    gy = arrays_of(y.shape, 2)
    (y * dev.tensor(gy, dtype=dfdx.f64)).sum().backward()
    # (7, 6) -> (4, 3) with stride 2: output_padding (0, 1) gives (7, 6) back
    back = conv_transpose2d(
        dev.tensor(gy, dtype=dfdx.f64),
        dev.tensor(w, dtype=dfdx.f64),
        stride=2,
        padding=1,
        groups=2,
        output_padding=(0, 1),
    )
    np.testing.assert_allclose(back.numpy(), grads.get(xt).numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [dfdx.f32, dfdx.f64])
def test_conv_keeps_dtype(dev, dtype):
    x = dev.ones((1, 2, 4, 4), dtype=dtype)
    assert conv2d(x, dev.ones((3, 2, 3, 3), dtype=dtype)).dtype is dtype
    assert conv_transpose2d(x, dev.ones((2, 3, 3, 3), dtype=dtype)).dtype is dtype
    y = conv1d(dev.ones((2, 5), dtype=dtype), dev.ones((1, 2, 3), dtype=dtype))
    assert y.dtype is dtype
    assert y.numpy().dtype == dtype.numpy


def test_conv2d_f16_computes_in_f32(dev):
    x = dev.tensor(np.ones((1, 2, 3, 3)), dtype=dfdx.f16)
    y = conv2d(x, dev.tensor(np.ones((1, 2, 3, 3)), dtype=dfdx.f16))
    assert y.dtype is dfdx.f16
    assert y.numpy().tolist() == [[[[18.0]]]]


def test_conv_batched_equals_unbatched(dev):
    x = arrays_of((3, 2, 5, 5), 0)
    w = arrays_of((4, 2, 3, 3), 1)
    wt = dev.tensor(w, dtype=dfdx.f64)
    batched = conv2d(dev.tensor(x, dtype=dfdx.f64), wt, padding=1).numpy()
    for i in range(3):
        one = conv2d(dev.tensor(x[i], dtype=dfdx.f64), wt, padding=1).numpy()
        np.testing.assert_allclose(batched[i], one, rtol=1e-12)


# -- errors --------------------------------------------------------------------------------


def test_conv2d_channel_mismatch(dev):
    with pytest.raises(
        dfdx.ShapeError,
        match=r"conv2d: channel mismatch: x \(2, 4, 5, 5\) has 4 channels, "
        r"weight \(8, 3, 3, 3\) expects 3",
    ):
        conv2d(dev.zeros((2, 4, 5, 5)), dev.zeros((8, 3, 3, 3)))


def test_conv2d_groups_must_divide(dev):
    with pytest.raises(
        dfdx.ShapeError, match=r"conv2d: groups=3 does not divide the 4 channels of x \(4, 5, 5\)"
    ):
        conv2d(dev.zeros((4, 5, 5)), dev.zeros((3, 1, 3, 3)), groups=3)
    with pytest.raises(
        dfdx.ShapeError,
        match=r"conv2d: groups=2 does not divide the 3 output channels of weight \(3, 2, 3, 3\)",
    ):
        conv2d(dev.zeros((4, 5, 5)), dev.zeros((3, 2, 3, 3)), groups=2)


def test_conv2d_kernel_larger_than_input(dev):
    with pytest.raises(
        dfdx.ShapeError,
        match=r"conv2d: kernel larger than the padded input: x \(1, 2, 2\) padded by "
        r"\(0, 0\) is 2x2, weight \(1, 1, 3, 3\)",
    ):
        conv2d(dev.zeros((1, 2, 2)), dev.zeros((1, 1, 3, 3)))
    with pytest.raises(dfdx.ShapeError, match=r"spans 5x5"):
        conv2d(dev.zeros((1, 4, 4)), dev.zeros((1, 1, 3, 3)), dilation=2)
    conv2d(dev.zeros((1, 2, 2)), dev.zeros((1, 1, 3, 3)), padding=1)  # fits once padded


def test_conv2d_bad_ranks_and_params(dev):
    with pytest.raises(dfdx.ShapeError, match=r"conv2d: x must be .* got shape \(5, 5\)"):
        conv2d(dev.zeros((5, 5)), dev.zeros((1, 1, 3, 3)))
    with pytest.raises(dfdx.ShapeError, match=r"conv2d: weight must have rank 4, got shape"):
        conv2d(dev.zeros((1, 5, 5)), dev.zeros((1, 3, 3)))
    with pytest.raises(dfdx.ShapeError, match="conv2d: stride must be >= 1"):
        conv2d(dev.zeros((1, 5, 5)), dev.zeros((1, 1, 3, 3)), stride=0)
    with pytest.raises(dfdx.ShapeError, match="conv2d: padding must be >= 0"):
        conv2d(dev.zeros((1, 5, 5)), dev.zeros((1, 1, 3, 3)), padding=-1)
    with pytest.raises(dfdx.ShapeError, match="conv2d: groups must be an int >= 1"):
        conv2d(dev.zeros((1, 5, 5)), dev.zeros((1, 1, 3, 3)), groups=0)


def test_conv_dtype_and_device_errors(dev):
    with pytest.raises(dfdx.DTypeError, match="conv2d: dtypes differ"):
        conv2d(dev.zeros((1, 5, 5)), dev.zeros((1, 1, 3, 3), dtype=dfdx.f64))
    ints = dev.tensor(np.ones((1, 3, 3), dtype=np.int64))
    with pytest.raises(dfdx.DTypeError, match="conv2d: not defined for i64"):
        conv2d(ints, dev.tensor(np.ones((1, 1, 1, 1), dtype=np.int64)))
    with pytest.raises(dfdx.DTypeError, match="conv1d: not defined for i64"):
        conv1d(ints[0], dev.tensor(np.ones((1, 1, 1), dtype=np.int64)))
    with pytest.raises(dfdx.DTypeError, match="conv_transpose2d: dtypes differ"):
        conv_transpose2d(dev.zeros((1, 5, 5)), dev.zeros((1, 1, 3, 3), dtype=dfdx.f64))
    if dev.kind == "cpu":
        with pytest.raises(dfdx.DeviceError, match="conv2d: tensors on different devices"):
            conv2d(dev.zeros((1, 5, 5)), OtherCpu().zeros((1, 1, 3, 3)))


def test_conv1d_errors(dev):
    with pytest.raises(
        dfdx.ShapeError,
        match=r"conv1d: channel mismatch: x \(2, 3, 7\) has 3 channels, weight \(4, 2, 3\)",
    ):
        conv1d(dev.zeros((2, 3, 7)), dev.zeros((4, 2, 3)))
    with pytest.raises(
        dfdx.ShapeError,
        match=r"conv1d: kernel larger than the padded input: x \(3, 2\) padded by 0 has "
        r"length 2, weight \(1, 3, 3\)",
    ):
        conv1d(dev.zeros((3, 2)), dev.zeros((1, 3, 3)))
    with pytest.raises(dfdx.ShapeError, match=r"conv1d: x must be .* got shape \(7,\)"):
        conv1d(dev.zeros((7,)), dev.zeros((1, 1, 3)))
    with pytest.raises(dfdx.ShapeError, match=r"conv1d: stride must be an int"):
        conv1d(dev.zeros((1, 7)), dev.zeros((1, 1, 3)), stride=(1, 2))


def test_conv_transpose2d_errors(dev):
    with pytest.raises(
        dfdx.ShapeError,
        match=r"conv_transpose2d: channel mismatch: x \(2, 4, 3, 3\) has 4 channels, "
        r"weight \(3, 2, 3, 3\) expects 3",
    ):
        conv_transpose2d(dev.zeros((2, 4, 3, 3)), dev.zeros((3, 2, 3, 3)))
    with pytest.raises(dfdx.ShapeError, match="conv_transpose2d: groups=3 does not divide"):
        conv_transpose2d(dev.zeros((4, 3, 3)), dev.zeros((4, 1, 3, 3)), groups=3)
    with pytest.raises(dfdx.ShapeError, match=r"output_padding \(1, 1\) must be smaller"):
        conv_transpose2d(dev.zeros((1, 3, 3)), dev.zeros((1, 1, 3, 3)), output_padding=1)
    with pytest.raises(dfdx.ShapeError, match=r"leaves no output .* would be -1x-1"):
        conv_transpose2d(dev.zeros((1, 1, 1)), dev.zeros((1, 1, 1, 1)), padding=1)


def test_conv_transpose2d_output_shapes(dev):
    y = conv_transpose2d(dev.zeros((2, 4, 3, 3)), dev.zeros((4, 3, 3, 3)), stride=2, groups=2)
    assert y.shape == (2, 6, 7, 7)
    y = conv_transpose2d(
        dev.zeros((2, 4, 3, 3)), dev.zeros((4, 3, 3, 3)), stride=2, output_padding=1
    )
    assert y.shape == (2, 3, 8, 8)
