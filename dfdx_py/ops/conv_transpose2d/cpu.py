"""conv_transpose2d on the Cpu: conv2d's col2im for the forward pass, its im2col + GEMM for
the gradients (``conv2d/cpu.py``)."""

from collections.abc import Sequence

from dfdx_py.ops.conv2d import Conv2dGeom
from dfdx_py.ops.conv2d.cpu import (
    Array,
    as_compute,
    as_dtype,
    conv_transpose2d_backward,
    conv_transpose2d_forward,
)
from dfdx_py.ops.conv_transpose2d import CONV_TRANSPOSE2D


@CONV_TRANSPOSE2D.register("cpu")
class ConvTranspose2dCpu:
    def forward(self, x: Array, w: Array, geom: Conv2dGeom) -> Array:
        x4, w4 = as_compute(x.reshape(geom.out_shape), w)
        y = conv_transpose2d_forward(x4, w4, geom).astype(x.dtype, copy=False)
        return y if geom.batched else y[0]

    def backward(
        self, x: Array, w: Array, grad_y: Array, geom: Conv2dGeom, needs: Sequence[bool]
    ) -> tuple[Array | None, Array | None]:
        x4, w4, gy4 = as_compute(x.reshape(geom.out_shape), w, grad_y.reshape(geom.image_shape))
        grad_x, grad_w = conv_transpose2d_backward(x4, w4, gy4, geom, needs)
        if grad_x is not None:
            grad_x = grad_x.reshape(x.shape)
        return as_dtype(grad_x, x.dtype), as_dtype(grad_w, x.dtype)
