"""conv1d on the Cpu: conv2d's kernels on ``(B, C, 1, L)`` views (``conv2d/cpu.py``)."""

from collections.abc import Sequence

from dfdx_py.ops.conv1d import CONV1D
from dfdx_py.ops.conv2d import Conv2dGeom
from dfdx_py.ops.conv2d.cpu import Array, as_compute, as_dtype, conv2d_backward, conv2d_forward


@CONV1D.register("cpu")
class Conv1dCpu:
    def forward(self, x: Array, w: Array, geom: Conv2dGeom) -> Array:
        o, cg, k = w.shape
        x4, w4 = as_compute(x.reshape(geom.image_shape), w.reshape(o, cg, 1, k))
        y = conv2d_forward(x4, w4, geom).astype(x.dtype, copy=False)
        out_shape = (geom.batch, o, geom.w_out) if geom.batched else (o, geom.w_out)
        return y.reshape(out_shape)

    def backward(
        self, x: Array, w: Array, grad_y: Array, geom: Conv2dGeom, needs: Sequence[bool]
    ) -> tuple[Array | None, Array | None]:
        o, cg, k = w.shape
        x4, w4, gy4 = as_compute(
            x.reshape(geom.image_shape), w.reshape(o, cg, 1, k), grad_y.reshape(geom.out_shape)
        )
        grad_x, grad_w = conv2d_backward(x4, w4, gy4, geom, needs)
        if grad_x is not None:
            grad_x = grad_x.reshape(x.shape)
        if grad_w is not None:
            grad_w = grad_w.reshape(w.shape)
        return as_dtype(grad_x, x.dtype), as_dtype(grad_w, x.dtype)
