"""Sgd on the Cpu."""

from __future__ import annotations

from dfdx_py.optim.cpu_common import Array, scaled_step, upcast
from dfdx_py.optim.sgd import SGD_UPDATE, SgdConfig


@SGD_UPDATE.register("cpu")
class SgdCpu:
    def update(
        self,
        cfg: SgdConfig,
        param: Array,
        grad: Array,
        velocity: Array | None,
        grad_scale: float = 1.0,
        master: Array | None = None,
    ) -> Array:
        def step(p: Array, g: Array) -> Array:
            return _update(cfg, p, g, velocity)

        return scaled_step(step, param, grad, grad_scale, master)


def _update(cfg: SgdConfig, param: Array, grad: Array, velocity: Array | None) -> Array:
    """One step in the dtype of ``param`` (f16/bf16: computed in f32, rounded once)."""
    p = upcast(param)
    g = upcast(grad)
    if cfg.weight_decay is not None and not cfg.decoupled:
        g = g + cfg.weight_decay * p
    if velocity is not None and cfg.momentum is not None:
        v = cfg.momentum * upcast(velocity) + g
        velocity[...] = v
        g = g + cfg.momentum * v if cfg.nesterov else v
    step = cfg.lr * g
    if cfg.weight_decay is not None and cfg.decoupled:
        step = step + (cfg.lr * cfg.weight_decay) * p
    return (p - step).astype(param.dtype, copy=False)
