"""Adam on the Cpu."""

from __future__ import annotations

import math

import numpy as np

from dfdx_py.optim.adam import ADAM_UPDATE, AdamConfig
from dfdx_py.optim.cpu_common import Array, scaled_step, upcast

_FAST = (np.dtype(np.float32), np.dtype(np.float64))


@ADAM_UPDATE.register("cpu")
class AdamCpu:
    def update(
        self,
        cfg: AdamConfig,
        t: int,
        param: Array,
        grad: Array,
        m: Array,
        v: Array,
        grad_scale: float = 1.0,
        master: Array | None = None,
    ) -> Array:
        def step(p: Array, g: Array) -> Array:
            return _update(cfg, t, p, g, m, v)

        return scaled_step(step, param, grad, grad_scale, master)


def _update(cfg: AdamConfig, t: int, param: Array, grad: Array, m: Array, v: Array) -> Array:
    """One step in the dtype of ``param`` (f16/bf16: computed in f32, rounded once)."""
    fast = param.dtype in _FAST and m.dtype == param.dtype and v.dtype == param.dtype
    if fast and param.ndim > 0:  # (numpy gives scalars, not arrays, for 0-d arithmetic)
        return _update_in_place(cfg, t, param, grad, m, v)
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


def _update_in_place(
    cfg: AdamConfig, t: int, param: Array, grad: Array, m: Array, v: Array
) -> Array:
    """The f32/f64 update with the moments updated in place and two temporaries (PyTorch's
    formulation: ``p - (lr / bc1) · m / (√v / √bc2 + eps)``, the corrections as scalars)."""
    b1, b2 = cfg.betas
    g = grad
    if cfg.weight_decay is not None and not cfg.decoupled:
        g = g + param * cfg.weight_decay
    m *= b1
    tmp = g * (1.0 - b1)
    m += tmp
    np.square(g, out=tmp)
    tmp *= 1.0 - b2
    v *= b2
    v += tmp
    denom = np.sqrt(v, out=tmp)
    denom *= 1.0 / math.sqrt(1.0 - b2**t)
    denom += cfg.eps
    step = np.divide(m, denom, out=denom)
    step *= cfg.lr / (1.0 - b1**t)
    if cfg.weight_decay is not None and cfg.decoupled:
        step += param * (cfg.lr * cfg.weight_decay)
    return np.subtract(param, step, out=step)  # a new array: the old one may be shared
