"""RMSprop on the Cuda device: one fused launch of rmsprop.cu per parameter.

The square average, the gradient average (centered) and the momentum buffer are updated in
place; the new parameter goes to fresh storage, read and written in the same pass (the same
memory traffic as an in-place update), so a tensor still sharing the old storage
(``p.detach()``) keeps its values, as on the Cpu. An AMP parameter's step is the same one
launch: it reads the f32 master and the half gradient, and writes the master and the half
parameter.
"""

from __future__ import annotations

from dfdx_py.devices.cuda.context import compute_type
from dfdx_py.devices.cuda.storage import CudaArray
from dfdx_py.optim.cuda_common import update_kernel
from dfdx_py.optim.rmsprop import RMSPROP_UPDATE, RMSpropConfig

L2, DECOUPLED = 1, 2
"""The bits of the kernel's ``options``."""


@RMSPROP_UPDATE.register("cuda")
class RMSpropCuda:
    def update(
        self,
        cfg: RMSpropConfig,
        param: CudaArray,
        grad: CudaArray,
        square_avg: CudaArray,
        grad_avg: CudaArray | None,
        velocity: CudaArray | None,
        grad_scale: float = 1.0,
        master: CudaArray | None = None,
    ) -> CudaArray:
        states = [b.dtype for b in (square_avg, grad_avg, velocity) if b is not None]
        kernel, source, master_ptr = update_kernel(
            "RMSprop", "rmsprop_update", param, master, *states
        )
        out: CudaArray = param.ctx.empty(param.shape, param.dtype)
        if param.size == 0:
            return out
        wd = cfg.weight_decay
        options = 0 if wd is None else (DECOUPLED if cfg.decoupled else L2)
        momentum = velocity is not None and cfg.momentum is not None
        real = compute_type(param.dtype)  # f32 for f16 and bf16
        args = (
            param.size,
            options,
            source,
            grad.ptr,
            square_avg.ptr,
            0 if grad_avg is None else grad_avg.ptr,
            velocity.ptr if momentum and velocity is not None else 0,
            out.ptr,
            master_ptr,
            real(grad_scale),
            real(cfg.lr),
            real(cfg.alpha),
            real(1.0 - cfg.alpha),
            real(cfg.eps),
            real(cfg.momentum or 0.0),
            real(wd or 0.0),
            real(cfg.lr * (wd or 0.0)),
        )
        param.ctx.launch("rmsprop", kernel, param.size, args)
        return out
