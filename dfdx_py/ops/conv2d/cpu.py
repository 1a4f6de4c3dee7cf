"""conv2d on the Cpu: im2col + GEMM forward, col2im for the input gradient.

The pieces below are shared by ``conv1d`` and ``conv_transpose2d`` (whose forward is
conv2d's input gradient and whose input gradient is conv2d's forward). Layouts, with
``G`` groups, ``Cg = C / G`` and ``Og = O / G`` channels per group and ``L = H' * W'``:

- ``im2col``: image ``(B, C, H, W)`` -> columns ``(G, Cg*KH*KW, B*L)``;
- weight ``(O, Cg, KH, KW)`` viewed as ``(G, Og, Cg*KH*KW)``;
- ``to_groups``: output ``(B, O, H', W')`` -> ``(G, Og, B*L)``, and ``from_groups`` back;
- forward: ``from_groups(weight @ im2col(x))``, one GEMM per group over the whole batch;
- backward: ``grad_w = to_groups(grad_y) @ im2col(x)^T`` and
  ``grad_x = col2im(weight^T @ to_groups(grad_y))``.

Dtypes other than f32 and f64 (f16, bf16) are computed in f32 and cast back.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from dfdx_py.ops.conv2d import CONV2D, Conv2dGeom

Array = np.ndarray[Any, Any]

_BLAS = frozenset("fd")  # dtype chars of float32 and float64


def compute_dtype(x: Array) -> Any:
    """The dtype the kernels compute ``x``'s dtype in: itself for f32/f64, else f32."""
    return x.dtype if x.dtype.char in _BLAS else np.dtype(np.float32)


def pad_image(x: Array, g: Conv2dGeom) -> Array:
    """The image ``(B, C, H, W)`` with ``(ph, pw)`` zeros around its spatial axes."""
    if g.ph == 0 and g.pw == 0:
        return x
    b, c, h, w = x.shape
    xp = np.zeros((b, c, h + 2 * g.ph, w + 2 * g.pw), dtype=x.dtype)
    xp[:, :, g.ph : g.ph + h, g.pw : g.pw + w] = x
    return xp


def im2col(x: Array, g: Conv2dGeom) -> Array:
    """Columns ``(G, Cg*KH*KW, B*H'*W')`` of image ``x`` ``(B, C, H, W)``: column
    ``(b, oh, ow)`` holds the (padded, dilated) patch its output element reads."""
    xp = pad_image(x, g)
    sb, sc, sh, sw = xp.strides
    cg = g.chan_in // g.groups
    view = as_strided(
        xp,
        shape=(g.groups, cg, g.kh, g.kw, g.batch, g.h_out, g.w_out),
        strides=(cg * sc, sc, g.dh * sh, g.dw * sw, sb, g.sh * sh, g.sw * sw),
        writeable=False,
    )
    return np.ascontiguousarray(view).reshape(
        g.groups, cg * g.kh * g.kw, g.batch * g.h_out * g.w_out
    )


def col2im(cols: Array, g: Conv2dGeom) -> Array:
    """The adjoint of ``im2col``: columns ``(G, Cg*KH*KW, B*H'*W')`` summed back into an
    image ``(B, C, H, W)`` (a loop over the KH*KW kernel offsets, each a strided add)."""
    cols6 = cols.reshape(g.chan_in, g.kh, g.kw, g.batch, g.h_out, g.w_out)
    hp = g.h_in + 2 * g.ph
    wp = g.w_in + 2 * g.pw
    acc = np.zeros((g.chan_in, g.batch, hp, wp), dtype=cols.dtype)
    h_span = (g.h_out - 1) * g.sh + 1
    w_span = (g.w_out - 1) * g.sw + 1
    for i in range(g.kh):
        y0 = i * g.dh
        for j in range(g.kw):
            x0 = j * g.dw
            acc[:, :, y0 : y0 + h_span : g.sh, x0 : x0 + w_span : g.sw] += cols6[:, i, j]
    image = acc[:, :, g.ph : g.ph + g.h_in, g.pw : g.pw + g.w_in]
    return np.ascontiguousarray(image.transpose(1, 0, 2, 3))


def to_groups(y: Array, g: Conv2dGeom) -> Array:
    """An output-shaped array ``(B, O, H', W')`` as ``(G, Og, B*H'*W')``."""
    size = g.h_out * g.w_out
    y3 = y.reshape(g.batch, g.chan_out, size).transpose(1, 0, 2)
    return np.ascontiguousarray(y3).reshape(g.groups, g.chan_out // g.groups, g.batch * size)


def from_groups(yg: Array, g: Conv2dGeom) -> Array:
    """``(G, Og, B*H'*W')`` as an output-shaped array ``(B, O, H', W')``."""
    y = yg.reshape(g.chan_out, g.batch, g.h_out, g.w_out).transpose(1, 0, 2, 3)
    return np.ascontiguousarray(y)


def gemm(a: Array, b: Array) -> Array:
    """``a @ b`` for stacks ``(G, M, K) @ (G, K, N)``: one 2-D BLAS GEMM per group (numpy's
    stacked matmul is far slower on the transposed views the backward pass multiplies)."""
    groups, m, _ = a.shape
    out = np.empty((groups, m, b.shape[2]), dtype=np.result_type(a, b))
    for i in range(groups):
        np.matmul(a[i], b[i], out=out[i])
    return out


def weight_groups(w: Array, g: Conv2dGeom) -> Array:
    """The weight ``(O, Cg, KH, KW)`` as ``(G, Og, Cg*KH*KW)``."""
    return w.reshape(g.groups, g.chan_out // g.groups, -1)


def conv2d_forward(x: Array, w: Array, g: Conv2dGeom) -> Array:
    """conv2d of image ``x`` ``(B, C, H, W)``: the output ``(B, O, H', W')``."""
    return from_groups(gemm(weight_groups(w, g), im2col(x, g)), g)


def conv2d_backward(
    x: Array, w: Array, grad_y: Array, g: Conv2dGeom, needs: Sequence[bool]
) -> tuple[Array | None, Array | None]:
    """``(grad_x, grad_w)`` of conv2d for the output gradient ``grad_y`` ``(B, O, H', W')``."""
    gy = to_groups(grad_y, g)
    grad_x = grad_w = None
    if needs[1]:
        cols = im2col(x, g)
        grad_w = gemm(gy, cols.transpose(0, 2, 1)).reshape(w.shape)
    if needs[0]:
        grad_x = col2im(gemm(weight_groups(w, g).transpose(0, 2, 1), gy), g)
    return grad_x, grad_w


def conv_transpose2d_forward(x: Array, w: Array, g: Conv2dGeom) -> Array:
    """The transposed convolution of ``x`` (shaped like conv2d's output, ``(B, O, H', W')``)
    with ``w`` ``(O, Cg, KH, KW)``: an image ``(B, C, H, W)``."""
    return col2im(gemm(weight_groups(w, g).transpose(0, 2, 1), to_groups(x, g)), g)


def conv_transpose2d_backward(
    x: Array, w: Array, grad_y: Array, g: Conv2dGeom, needs: Sequence[bool]
) -> tuple[Array | None, Array | None]:
    """``(grad_x, grad_w)`` of ``conv_transpose2d_forward`` for an image-shaped ``grad_y``."""
    cols = im2col(grad_y, g)
    grad_x = grad_w = None
    if needs[0]:
        grad_x = from_groups(gemm(weight_groups(w, g), cols), g)
    if needs[1]:
        grad_w = gemm(to_groups(x, g), cols.transpose(0, 2, 1)).reshape(w.shape)
    return grad_x, grad_w


def as_compute(*arrays: Array) -> list[Array]:
    """``arrays`` in the dtype the kernels compute in (f32 for f16/bf16)."""
    dtype = compute_dtype(arrays[0])
    return [a if a.dtype == dtype else a.astype(dtype) for a in arrays]


def as_dtype(x: Array | None, dtype: Any) -> Array | None:
    """``x`` (may be ``None``) cast back to ``dtype`` if it differs."""
    return None if x is None else x.astype(dtype, copy=False)


@CONV2D.register("cpu")
class Conv2dCpu:
    def forward(self, x: Array, w: Array, geom: Conv2dGeom) -> Array:
        x4, w4 = as_compute(x.reshape(geom.image_shape), w)
        y = conv2d_forward(x4, w4, geom).astype(x.dtype, copy=False)
        return y if geom.batched else y[0]

    def backward(
        self, x: Array, w: Array, grad_y: Array, geom: Conv2dGeom, needs: Sequence[bool]
    ) -> tuple[Array | None, Array | None]:
        x4, w4, gy4 = as_compute(x.reshape(geom.image_shape), w, grad_y.reshape(geom.out_shape))
        grad_x, grad_w = conv2d_backward(x4, w4, gy4, geom, needs)
        if grad_x is not None:
            grad_x = grad_x.reshape(x.shape)
        return as_dtype(grad_x, x.dtype), as_dtype(grad_w, x.dtype)
