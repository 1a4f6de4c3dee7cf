"""conv1d on the Cuda device: conv2d's kernels on ``(B, C, 1, L)`` views (``conv2d/cuda.py``);
every reshape is free."""

from collections.abc import Sequence

from dfdx_py.devices.cuda.storage import CudaArray
from dfdx_py.ops.conv1d import CONV1D
from dfdx_py.ops.conv2d import Conv2dGeom
from dfdx_py.ops.conv2d.cuda import conv2d_backward, conv2d_forward, reshaped


@CONV1D.register("cuda")
class Conv1dCuda:
    def forward(self, x: CudaArray, w: CudaArray, geom: Conv2dGeom) -> CudaArray:
        y = conv2d_forward(x.reshape(geom.image_shape), w, geom)
        o = geom.chan_out
        return y.reshape((geom.batch, o, geom.w_out) if geom.batched else (o, geom.w_out))

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
