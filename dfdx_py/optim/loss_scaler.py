"""``LossScaler``: dynamic loss scaling for f16 training (PyTorch's ``torch.amp.GradScaler``).

f16 has 5 exponent bits: gradients below ~6e-8 flush to zero and above 65504 overflow. The
scaler multiplies the loss by a large factor before ``backward`` so small gradients stay
representable, then divides the gradients by it (in f32 for AMP parameters) when the
optimizer runs. A step whose gradients hold an inf or a NaN is skipped and the scale halved;
after ``growth_interval`` good steps in a row the scale doubles::

    scaler = optim.LossScaler()
    grads = scaler.scale(loss).backward()
    scaler.update(opt, model, grads)      # False when the step was skipped

bf16 has f32's exponent range and needs no scaler (it does no harm).
"""

from __future__ import annotations

import math
from typing import Any

from dfdx_py.autograd.gradients import Gradients
from dfdx_py.dtypes import f32
from dfdx_py.nn.module import Module
from dfdx_py.ops.to_dtype import TO_DTYPE
from dfdx_py.optim.optimizer import Optimizer, check_real, trainable
from dfdx_py.tensor import Tensor, wrap
from dfdx_py.type_vars import D, E, S


class LossScaler:
    """Dynamic loss scale (defaults as ``torch.amp.GradScaler``'s).

    - ``init_scale=2**16``: the first scale.
    - ``growth_factor=2.0`` / ``backoff_factor=0.5``: the scale's change after
      ``growth_interval=2000`` good steps / after a step with non-finite gradients.
    """

    def __init__(
        self,
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
    ) -> None:
        name = "LossScaler"
        self.scale_value = check_real(name, "init_scale", init_scale)
        self.growth_factor = check_real(name, "growth_factor", growth_factor)
        self.backoff_factor = check_real(name, "backoff_factor", backoff_factor)
        if self.scale_value <= 0 or self.growth_factor < 1 or not 0 < self.backoff_factor < 1:
            raise ValueError(
                f"{name}: needs init_scale > 0, growth_factor >= 1 and 0 < backoff_factor < 1, "
                f"got {init_scale}, {growth_factor}, {backoff_factor}"
            )
        if not isinstance(growth_interval, int) or growth_interval < 1:
            raise ValueError(
                f"{name}: growth_interval must be an int >= 1, got {growth_interval!r}"
            )
        self.growth_interval = growth_interval
        self.good_steps = 0
        """Finite steps in a row since the scale last changed."""
        self.skipped_steps = 0
        """Steps skipped so far because a gradient was inf or NaN."""

    def scale(self, loss: Tensor[S, E, D]) -> Tensor[S, E, D]:
        """``loss * scale``: call ``backward`` on this instead of on ``loss``."""
        return loss * self.scale_value

    def update(
        self, opt: Optimizer[Any], model: Module | Tensor[Any, Any, Any], grads: Gradients
    ) -> bool:
        """Unscale ``grads`` and run ``opt.update(model, grads)`` if every gradient is
        finite (True); otherwise skip the step and shrink the scale (False). Then adjust the
        scale as the class says."""
        if not self.grads_finite(model, grads):
            self.scale_value *= self.backoff_factor
            self.good_steps = 0
            self.skipped_steps += 1
            return False
        opt.update(model, grads, grad_scale=1.0 / self.scale_value)
        self.good_steps += 1
        if self.good_steps >= self.growth_interval:
            self.scale_value *= self.growth_factor
            self.good_steps = 0
        return True

    @staticmethod
    def grads_finite(model: Module | Tensor[Any, Any, Any], grads: Gradients) -> bool:
        """Whether the gradient of every trainable parameter of ``model`` is finite (a
        missing gradient counts as finite: the optimizer reports it)."""
        for _, p in trainable(model):
            g = grads.storage(p)
            if g is None:
                continue
            g32 = TO_DTYPE.kernel(p.device).forward(g, p.dtype, f32)
            # an inf or a NaN anywhere makes the f32 sum of |g| inf or NaN
            if not math.isfinite(wrap(g32, f32, p.device).abs().sum().item()):
                return False
        return True

    def __repr__(self) -> str:
        return f"LossScaler(scale={self.scale_value}, good_steps={self.good_steps})"
