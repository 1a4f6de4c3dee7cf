"""conv2d on the Cuda device: the im2col / col2im kernels of conv2d.cu and cuBLAS GEMMs.

The same split as the Cpu (``conv2d/cpu.py``), with the same layouts (``G`` groups, ``Cg``
and ``Og`` channels per group, ``L = H' * W'``): columns ``(G, Cg*KH*KW, B*L)``, the weight
seen as ``(G, Og, Cg*KH*KW)`` and the output as ``(G, Og, B*L)``. The batch is folded into
the GEMM's columns, so each product is one strided-batched GEMM over the groups:

- forward: ``from_groups(weight @ im2col(x))``;
- backward: ``grad_w = to_groups(grad_y) @ im2col(x)^T`` and
  ``grad_x = col2im(weight^T @ to_groups(grad_y))`` (col2im a gather, no atomics).

``to_groups`` / ``from_groups`` swap the batch and channel axes with one strided copy (free
for a batch of one). The pieces are shared by ``conv1d`` and ``conv_transpose2d``. For f16
and bf16, the columns that col2im sums come from the GEMM in f32 (the kernels' compute
type), so each image element is rounded to half once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dfdx_py.devices.cuda.context import suffix
from dfdx_py.devices.cuda.layout import permute
from dfdx_py.devices.cuda.storage import CudaArray
from dfdx_py.ops.conv2d import CONV2D, Conv2dGeom
from dfdx_py.ops.matmul.cuda import gemm


def _launch(kernel: str, n: int, g: Conv2dGeom, src: CudaArray, dst: CudaArray,
            dtype: np.dtype[Any]) -> None:  # fmt: skip
    if n:
        args = (n, g.batch, g.chan_in, g.h_in, g.w_in, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw,
                g.dh, g.dw, g.h_out, g.w_out, src.ptr, dst.ptr)  # fmt: skip
        src.ctx.launch("conv2d", f"{kernel}_{suffix(dtype)}", n, args)


def im2col(x: CudaArray, g: Conv2dGeom) -> CudaArray:
    """Columns ``(G, Cg*KH*KW, B*H'*W')`` of image ``x`` ``(B, C, H, W)``: column
    ``(b, oh, ow)`` holds the (padded, dilated) patch its output element reads."""
    cg = g.chan_in // g.groups
    shape = (g.groups, cg * g.kh * g.kw, g.batch * g.h_out * g.w_out)
    cols: CudaArray = x.ctx.empty(shape, x.dtype)
    _launch("im2col", cols.size, g, x, cols, x.dtype)
    return cols


def col2im(cols: CudaArray, g: Conv2dGeom, dtype: np.dtype[Any]) -> CudaArray:
    """The adjoint of ``im2col``: columns ``(G, Cg*KH*KW, B*H'*W')`` (in the compute type
    of ``dtype``: ``gemm(..., f32_out=True)``) summed back into an image ``(B, C, H, W)`` of
    ``dtype``, one thread per image element."""
    image: CudaArray = cols.ctx.empty(g.image_shape, dtype)
    _launch("col2im", image.size, g, cols, image, dtype)
    return image


def to_groups(y: CudaArray, g: Conv2dGeom) -> CudaArray:
    """An output-shaped array ``(B, O, H', W')`` as ``(G, Og, B*H'*W')``."""
    size = g.h_out * g.w_out
    shape = (g.groups, g.chan_out // g.groups, g.batch * size)
    if g.batch == 1:
        return y.reshape(shape)
    return permute(y.reshape((g.batch, g.chan_out, size)), (1, 0, 2)).reshape(shape)


def from_groups(yg: CudaArray, g: Conv2dGeom) -> CudaArray:
    """``(G, Og, B*H'*W')`` as an output-shaped array ``(B, O, H', W')``."""
    if g.batch == 1:
        return yg.reshape(g.out_shape)
    y = permute(yg.reshape((g.chan_out, g.batch, g.h_out * g.w_out)), (1, 0, 2))
    return y.reshape(g.out_shape)


def weight_groups(w: CudaArray, g: Conv2dGeom) -> CudaArray:
    """The weight ``(O, Cg, KH, KW)`` as ``(G, Og, Cg*KH*KW)`` (free)."""
    cg = g.chan_in // g.groups
    return w.reshape((g.groups, g.chan_out // g.groups, cg * g.kh * g.kw))


def conv2d_forward(x: CudaArray, w: CudaArray, g: Conv2dGeom) -> CudaArray:
    """conv2d of image ``x`` ``(B, C, H, W)``: the output ``(B, O, H', W')``."""
    return from_groups(gemm(weight_groups(w, g), im2col(x, g)), g)


def conv2d_backward(
    x: CudaArray, w: CudaArray, grad_y: CudaArray, g: Conv2dGeom, needs: Sequence[bool]
) -> tuple[CudaArray | None, CudaArray | None]:
    """``(grad_x, grad_w)`` of conv2d for the output gradient ``grad_y`` ``(B, O, H', W')``;
    ``grad_w`` comes as ``(G, Og, Cg*KH*KW)``."""
    gy = to_groups(grad_y, g)
    grad_x = grad_w = None
    if needs[1]:
        grad_w = gemm(gy, im2col(x, g), trans_b=True)
    if needs[0]:
        cols = gemm(weight_groups(w, g), gy, trans_a=True, f32_out=True)
        grad_x = col2im(cols, g, x.dtype)
    return grad_x, grad_w


def conv_transpose2d_forward(x: CudaArray, w: CudaArray, g: Conv2dGeom) -> CudaArray:
    """The transposed convolution of ``x`` (shaped like conv2d's output, ``(B, O, H', W')``)
    with ``w`` ``(O, Cg, KH, KW)``: an image ``(B, C, H, W)``."""
    cols = gemm(weight_groups(w, g), to_groups(x, g), trans_a=True, f32_out=True)
    return col2im(cols, g, x.dtype)


def conv_transpose2d_backward(
    x: CudaArray, w: CudaArray, grad_y: CudaArray, g: Conv2dGeom, needs: Sequence[bool]
) -> tuple[CudaArray | None, CudaArray | None]:
    """``(grad_x, grad_w)`` of ``conv_transpose2d_forward`` for an image-shaped ``grad_y``;
    ``grad_w`` comes as ``(G, Og, Cg*KH*KW)``."""
    cols = im2col(grad_y, g)
    grad_x = grad_w = None
    if needs[0]:
        grad_x = from_groups(gemm(weight_groups(w, g), cols), g)
    if needs[1]:
        grad_w = gemm(to_groups(x, g), cols, trans_b=True)
    return grad_x, grad_w


def reshaped(x: CudaArray | None, shape: tuple[int, ...]) -> CudaArray | None:
    """``x`` (may be ``None``) seen with ``shape``."""
    return None if x is None else x.reshape(shape)


@CONV2D.register("cuda")
class Conv2dCuda:
    def forward(self, x: CudaArray, w: CudaArray, geom: Conv2dGeom) -> CudaArray:
        y = conv2d_forward(x.reshape(geom.image_shape), w, geom)
        return y if geom.batched else y.reshape(geom.out_shape[1:])

    def backward(
        self,
        x: CudaArray,
        w: CudaArray,
        grad_y: CudaArray,
        geom: Conv2dGeom,
        needs: Sequence[bool],
    ) -> tuple[CudaArray | None, CudaArray | None]:
        grad_x, grad_w = conv2d_backward(
            x.reshape(geom.image_shape), w, grad_y.reshape(geom.out_shape), geom, needs
        )
        return reshaped(grad_x, x.shape), reshaped(grad_w, w.shape)
