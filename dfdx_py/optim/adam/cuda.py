"""Adam and AdamW on the Cuda device: one fused launch of adam.cu per parameter.

Both moments are updated in place; the new parameter goes to fresh storage, read and written
in the same pass (the same memory traffic as an in-place update), so a tensor still sharing
the old storage (``p.detach()``) keeps its values, as on the Cpu. The bias corrections are
folded into two scalars computed once per launch in f64, as on the Cpu (PyTorch's
formulation: ``p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)``). An AMP
parameter's step is the same one launch: it reads the f32 master and the half gradient, and
writes the master and the half parameter.
"""

from __future__ import annotations

import math

from dfdx_py.devices.cuda.context import compute_type
from dfdx_py.devices.cuda.storage import CudaArray
from dfdx_py.optim.adam import ADAM_UPDATE, AdamConfig
from dfdx_py.optim.cuda_common import update_kernel

L2, DECOUPLED = 1, 2
"""The bits of the kernel's ``options``."""


@ADAM_UPDATE.register("cuda")
class AdamCuda:
    def update(
        self,
        cfg: AdamConfig,
        t: int,
        param: CudaArray,
        grad: CudaArray,
        m: CudaArray,
        v: CudaArray,
        grad_scale: float = 1.0,
        master: CudaArray | None = None,
    ) -> CudaArray:
        kernel, source, master_ptr = update_kernel(
            "Adam", "adam_update", param, master, m.dtype, v.dtype
        )
        out: CudaArray = param.ctx.empty(param.shape, param.dtype)
        if param.size == 0:
            return out
        b1, b2 = cfg.betas
        wd = cfg.weight_decay
        options = 0 if wd is None else (DECOUPLED if cfg.decoupled else L2)
        real = compute_type(param.dtype)  # f32 for f16 and bf16
        args = (
            param.size,
            options,
            source,
            grad.ptr,
            m.ptr,
            v.ptr,
            out.ptr,
            master_ptr,
            real(grad_scale),
            real(b1),
            real(1.0 - b1),
            real(b2),
            real(1.0 - b2),
            real(cfg.lr / (1.0 - b1**t)),
            real(1.0 / math.sqrt(1.0 - b2**t)),
            real(cfg.eps),
            real(wd or 0.0),
            real(cfg.lr * (wd or 0.0)),
        )
        param.ctx.launch("adam", kernel, param.size, args)
        return out
