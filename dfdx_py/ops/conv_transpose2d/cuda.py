"""conv_transpose2d on the Cuda device: conv2d's col2im (after a GEMM) for the forward pass,
its im2col + GEMMs for the gradients (``conv2d/cuda.py``)."""

from collections.abc import Sequence

from dfdx_py.devices.cuda.storage import CudaArray
from dfdx_py.ops.conv2d import Conv2dGeom
from dfdx_py.ops.conv2d.cuda import (
    conv_transpose2d_backward,
    conv_transpose2d_forward,
    reshaped,
)
from dfdx_py.ops.conv_transpose2d import CONV_TRANSPOSE2D


@CONV_TRANSPOSE2D.register("cuda")
class ConvTranspose2dCuda:
    def forward(self, x: CudaArray, w: CudaArray, geom: Conv2dGeom) -> CudaArray:
        y = conv_transpose2d_forward(x.reshape(geom.out_shape), w, geom)
        return y if geom.batched else y.reshape(geom.image_shape[1:])

    def backward(
        self,
        x: CudaArray,
        w: CudaArray,
        grad_y: CudaArray,
        geom: Conv2dGeom,
        needs: Sequence[bool],
    ) -> tuple[CudaArray | None, CudaArray | None]:
        grad_x, grad_w = conv_transpose2d_backward(
            x.reshape(geom.out_shape), w, grad_y.reshape(geom.image_shape), geom, needs
        )
        return reshaped(grad_x, x.shape), reshaped(grad_w, w.shape)
