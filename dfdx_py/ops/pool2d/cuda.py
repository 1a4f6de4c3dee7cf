"""pool2d on the Cuda device: the kernels of pool2d.cu, one launch each way.

The forward pass runs one thread per output element over its window; the backward pass one
thread per input element over the windows that contain it (a gather: no atomics), which for
max / min adds the gradient of every window whose result equals the element (dfdx's rule).
"""

from __future__ import annotations

from dfdx_py.devices.cuda.context import suffix
from dfdx_py.devices.cuda.storage import CudaArray
from dfdx_py.ops.pool2d import POOL2D, Pool2dGeom


def _params(x: CudaArray, g: Pool2dGeom) -> tuple[int, ...]:
    h, w = x.shape[-2:]
    return (h, w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.h_out, g.w_out)


@POOL2D.register("cuda")
class Pool2dCuda:
    def forward(self, x: CudaArray, kind: str, geom: Pool2dGeom) -> CudaArray:
        y: CudaArray = x.ctx.empty((*x.shape[:-2], geom.h_out, geom.w_out), x.dtype)
        if y.size:
            name = f"pool2d_fwd_{kind}_{suffix(x.dtype)}"
            x.ctx.launch("pool2d", name, y.size, (y.size, *_params(x, geom), x.ptr, y.ptr))
        return y

    def backward(
        self, x: CudaArray, y: CudaArray, grad_y: CudaArray, kind: str, geom: Pool2dGeom
    ) -> CudaArray:
        grad_x: CudaArray = x.ctx.empty(x.shape, x.dtype)
        n = x.size
        if n:
            name = f"pool2d_bwd_{kind}_{suffix(x.dtype)}"
            args = (n, *_params(x, geom), x.ptr, y.ptr, grad_y.ptr, grad_x.ptr)
            x.ctx.launch("pool2d", name, n, args)
        return grad_x
