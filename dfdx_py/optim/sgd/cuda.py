"""Sgd on the Cuda device: one fused launch of sgd.cu per parameter.

The momentum buffer is updated in place; the new parameter goes to fresh storage, read and
written in the same pass (the same memory traffic as an in-place update), so a tensor still
sharing the old storage (``p.detach()``) keeps its values, as on the Cpu. The kernel also
runs in place (``out`` = ``param``). An AMP parameter's step is the same one launch: it reads
the f32 master and the half gradient, and writes the master and the half parameter.
"""

from __future__ import annotations

from dfdx_py.devices.cuda.context import compute_type
from dfdx_py.devices.cuda.storage import CudaArray
from dfdx_py.optim.cuda_common import update_kernel
from dfdx_py.optim.sgd import SGD_UPDATE, SgdConfig

L2, DECOUPLED, NESTEROV = 1, 2, 4
"""The bits of the kernel's ``options``."""


@SGD_UPDATE.register("cuda")
class SgdCuda:
    def update(
        self,
        cfg: SgdConfig,
        param: CudaArray,
        grad: CudaArray,
        velocity: CudaArray | None,
        grad_scale: float = 1.0,
        master: CudaArray | None = None,
    ) -> CudaArray:
        states = () if velocity is None else (velocity.dtype,)
        kernel, source, master_ptr = update_kernel("Sgd", "sgd_update", param, master, *states)
        out: CudaArray = param.ctx.empty(param.shape, param.dtype)
        if param.size == 0:
            return out
        wd = cfg.weight_decay
        options = 0 if wd is None else (DECOUPLED if cfg.decoupled else L2)
        if velocity is None or cfg.momentum is None:
            velocity_ptr = 0
        else:
            velocity_ptr = velocity.ptr
            options |= NESTEROV if cfg.nesterov else 0
        real = compute_type(param.dtype)  # f32 for f16 and bf16
        args = (
            param.size,
            options,
            source,
            grad.ptr,
            velocity_ptr,
            out.ptr,
            master_ptr,
            real(grad_scale),
            real(cfg.lr),
            real(cfg.momentum or 0.0),
            real(wd or 0.0),
            real(cfg.lr * (wd or 0.0)),
        )
        param.ctx.launch("sgd", kernel, param.size, args)
        return out
