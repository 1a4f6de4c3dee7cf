"""Adam on the Cpu."""

from __future__ import annotations

import numpy as np

from dfdx_py.optim.adam import ADAM_UPDATE, AdamConfig
from dfdx_py.optim.cpu_common import Array, upcast


@ADAM_UPDATE.register("cpu")
class AdamCpu:
    def update(
        self, cfg: AdamConfig, t: int, param: Array, grad: Array, m: Array, v: Array
    ) -> Array:
        b1, b2 = cfg.betas
        p = upcast(param)
        g = upcast(grad)
        if cfg.weight_decay is not None and not cfg.decoupled:
            g = g + cfg.weight_decay * p
        m_new = b1 * upcast(m) + (1.0 - b1) * g
        v_new = b2 * upcast(v) + (1.0 - b2) * np.square(g)
        m[...] = m_new
        v[...] = v_new
        m_hat = m_new / (1.0 - b1**t)
        v_hat = v_new / (1.0 - b2**t)
        step = cfg.lr * m_hat / (np.sqrt(v_hat) + cfg.eps)
        if cfg.weight_decay is not None and cfg.decoupled:
            step = step + (cfg.lr * cfg.weight_decay) * p
        return (p - step).astype(param.dtype, copy=False)
