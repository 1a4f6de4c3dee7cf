"""RMSprop on the Cpu."""

from __future__ import annotations

import numpy as np

from dfdx_py.optim.cpu_common import Array, scaled_step, upcast
from dfdx_py.optim.rmsprop import RMSPROP_UPDATE, RMSpropConfig


@RMSPROP_UPDATE.register("cpu")
class RMSpropCpu:
    def update(
        self,
        cfg: RMSpropConfig,
        param: Array,
        grad: Array,
        square_avg: Array,
        grad_avg: Array | None,
        velocity: Array | None,
        grad_scale: float = 1.0,
        master: Array | None = None,
    ) -> Array:
        def step(p: Array, g: Array) -> Array:
            return _update(cfg, p, g, square_avg, grad_avg, velocity)

        return scaled_step(step, param, grad, grad_scale, master)


def _update(
    cfg: RMSpropConfig,
    param: Array,
    grad: Array,
    square_avg: Array,
    grad_avg: Array | None,
    velocity: Array | None,
) -> Array:
    """One step in the dtype of ``param`` (f16/bf16: computed in f32, rounded once)."""
    p = upcast(param)
    g = upcast(grad)
    if cfg.weight_decay is not None and not cfg.decoupled:
        g = g + cfg.weight_decay * p
    sa = cfg.alpha * upcast(square_avg) + (1.0 - cfg.alpha) * np.square(g)
    square_avg[...] = sa
    if grad_avg is not None:
        ga = cfg.alpha * upcast(grad_avg) + (1.0 - cfg.alpha) * g
        grad_avg[...] = ga
        sa = sa - np.square(ga)
    step = g / (np.sqrt(sa) + cfg.eps)
    if velocity is not None and cfg.momentum is not None:
        step = cfg.momentum * upcast(velocity) + step
        velocity[...] = step
    step = cfg.lr * step
    if cfg.weight_decay is not None and cfg.decoupled:
        step = step + (cfg.lr * cfg.weight_decay) * p
    return (p - step).astype(param.dtype, copy=False)
