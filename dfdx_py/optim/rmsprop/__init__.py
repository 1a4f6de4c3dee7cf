"""RMSprop (Hinton, 2012), with momentum, centering and L2 or decoupled weight decay
(dfdx's ``RMSprop`` options and defaults; PyTorch's ``torch.optim.RMSprop`` update rule)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from dfdx_py.ops.registry import Op
from dfdx_py.optim.optimizer import (
    Optimizer,
    check_at_least_zero,
    check_fraction,
    check_optional,
    check_weight_decay,
)

if TYPE_CHECKING:
    from dfdx_py.nn.module import Module
    from dfdx_py.tensor import Tensor


@dataclass(frozen=True)
class RMSpropConfig:
    """RMSprop's hyperparameters as the kernel reads them (dfdx's ``RMSpropConfig``)."""

    lr: float
    alpha: float
    eps: float
    momentum: float | None
    centered: bool
    weight_decay: float | None
    decoupled: bool


class RMSpropKernel(Protocol):
    """One parameter's RMSprop step on device storage. ``square_avg`` (always),
    ``grad_avg`` (``None`` unless centered) and ``velocity`` (``None`` without momentum) are
    updated in place; returns the parameter's new storage (the Cpu never writes into
    ``param``). ``grad`` is multiplied by ``grad_scale`` first; with ``master`` (the f32
    master weights of an AMP parameter, f32 buffers) the step is taken on ``master``,
    updated in place, and the return is it rounded to ``param``'s dtype::

        g = grad + wd * param                                      (L2 weight decay)
        sa = alpha * sa + (1 - alpha) * g²
        ga = alpha * ga + (1 - alpha) * g;  avg = sqrt(sa - ga²) + eps   (centered)
                                            avg = sqrt(sa) + eps         (otherwise)
        v = momentum * v + g / avg;  step = v                      (momentum)
                                     step = g / avg                (otherwise)
        param - lr * step - lr * wd * param                        (decoupled weight decay)
    """

    def update(
        self,
        cfg: RMSpropConfig,
        param: Any,
        grad: Any,
        square_avg: Any,
        grad_avg: Any | None,
        velocity: Any | None,
        grad_scale: float = 1.0,
        master: Any | None = None,
    ) -> Any: ...


RMSPROP_UPDATE = Op[RMSpropKernel]("rmsprop_update", __name__)


class RMSprop(Optimizer[RMSpropConfig]):
    """RMSprop. dfdx: ``RMSprop::new(&model, RMSpropConfig { .. })``; PyTorch:
    ``torch.optim.RMSprop(params, lr=1e-2, alpha=0.9, eps=1e-8)`` (PyTorch's own defaults
    differ: ``alpha=0.99``)::

        opt = optim.RMSprop(model, lr=1e-2, momentum=0.9, centered=True)
        opt.update(model, grads)

    Arguments (dfdx's defaults): ``lr=1e-2``, ``alpha=0.9`` (the moving average's decay),
    ``eps=1e-8``, ``momentum=None`` (a float enables it), ``centered=False`` (divide by
    the gradient's estimated standard deviation instead of its root mean square),
    ``weight_decay=None`` with ``decoupled=False`` (L2, as PyTorch's ``weight_decay``) or
    ``True`` (``param -= lr * weight_decay * param`` after the step, dfdx's
    ``WeightDecay::Decoupled``).

    The update is PyTorch's, which differs from dfdx's (timm's TensorFlow-style) RMSprop in
    two ways: the square average starts at 0 (dfdx: 1) and ``eps`` is added after the square
    root (dfdx: inside it). PyTorch's rule is kept so a model trains as it does in PyTorch.
    """

    def __init__(
        self,
        model: Module | Tensor[Any, Any, Any],
        lr: float = 1e-2,
        alpha: float = 0.9,
        eps: float = 1e-8,
        momentum: float | None = None,
        centered: bool = False,
        weight_decay: float | None = None,
        decoupled: bool = False,
    ) -> None:
        super().__init__(model, lr)
        self.alpha = alpha
        self.eps = eps
        self.momentum = momentum
        self.centered = centered
        self.weight_decay = weight_decay
        self.decoupled = decoupled
        self.config()

    def config(self) -> RMSpropConfig:
        name = type(self).__name__
        lr = check_at_least_zero(name, "lr", self.lr)
        alpha = check_fraction(name, "alpha", self.alpha)
        eps = check_at_least_zero(name, "eps", self.eps)
        momentum = check_optional(name, "momentum", self.momentum)
        if not isinstance(self.centered, bool):
            raise ValueError(f"{name}: centered must be a bool, got {self.centered!r}")
        wd, decoupled = check_weight_decay(name, self.weight_decay, self.decoupled)
        return RMSpropConfig(lr, alpha, eps, momentum, self.centered, wd, decoupled)

    def update_param(
        self,
        cfg: RMSpropConfig,
        param: Tensor[Any, Any, Any],
        grad: Any,
        state: dict[str, Any],
        grad_scale: float,
        master: Any | None,
    ) -> Any:
        square_avg = self.state_buffer(state, "square_avg", param)
        grad_avg = self.state_buffer(state, "grad_avg", param) if cfg.centered else None
        velocity = None if cfg.momentum is None else self.state_buffer(state, "velocity", param)
        kernel = RMSPROP_UPDATE.kernel(param.device)
        return kernel.update(
            cfg, param._data, grad, square_avg, grad_avg, velocity, grad_scale, master
        )
