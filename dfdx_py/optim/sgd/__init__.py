"""Stochastic gradient descent, with classic or Nesterov momentum and L2 or decoupled weight
decay (dfdx's ``Sgd``; the update of PyTorch's ``torch.optim.SGD``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from dfdx_py.ops.registry import Op
from dfdx_py.optim.optimizer import (
    Optimizer,
    check_at_least_zero,
    check_optional,
    check_weight_decay,
)

if TYPE_CHECKING:
    from dfdx_py.nn.module import Module
    from dfdx_py.tensor import Tensor


@dataclass(frozen=True)
class SgdConfig:
    """Sgd's hyperparameters as the kernel reads them (dfdx's ``SgdConfig``)."""

    lr: float
    momentum: float | None
    nesterov: bool
    weight_decay: float | None
    decoupled: bool


class SgdKernel(Protocol):
    """One parameter's Sgd step on device storage.

    ``velocity`` is the momentum buffer (``None`` without momentum), updated in place.
    Returns the parameter's new storage (the Cpu returns a new array and never writes into
    ``param``; a Cuda kernel may update ``param`` in place and return it). ``grad`` is
    multiplied by ``grad_scale`` first; with ``master`` (the f32 master weights of an AMP
    parameter, an f32 ``velocity``) the step is taken on ``master``, updated in place, and
    the return is it rounded to ``param``'s dtype::

        g = grad + wd * param                         (L2 weight decay)
        v = momentum * v + g;  g = v                  (classic)
        v = momentum * v + g;  g = g + momentum * v   (Nesterov)
        param - lr * g - lr * wd * param              (the last term: decoupled decay)
    """

    def update(
        self,
        cfg: SgdConfig,
        param: Any,
        grad: Any,
        velocity: Any | None,
        grad_scale: float = 1.0,
        master: Any | None = None,
    ) -> Any: ...


SGD_UPDATE = Op[SgdKernel]("sgd_update", __name__)


class Sgd(Optimizer[SgdConfig]):
    """Stochastic gradient descent. dfdx: ``Sgd::new(&model, SgdConfig { .. })``; PyTorch:
    ``torch.optim.SGD`` (with ``dampening=0``)::

        opt = optim.Sgd(model, lr=1e-2, momentum=0.9, nesterov=True, weight_decay=1e-4)
        opt.update(model, grads)

    Arguments (dfdx's defaults):

    - ``lr=1e-2``: learning rate (PyTorch's SGD defaults to ``1e-3``).
    - ``momentum=None``: a float enables momentum; ``nesterov=False`` picks classic
      (dfdx ``Momentum::Classic(m)``) or Nesterov (``Momentum::Nesterov(m)``). The buffer
      starts at zero, so the first step is ``v = g``, as PyTorch's.
    - ``weight_decay=None``: a float adds ``weight_decay * param`` to the gradient before
      momentum (dfdx ``WeightDecay::L2``, PyTorch's ``weight_decay``), or with
      ``decoupled=True`` subtracts ``lr * weight_decay * param`` after it (dfdx
      ``WeightDecay::Decoupled``, as AdamW; PyTorch's SGD has no such option).
    """

    def __init__(
        self,
        model: Module | Tensor[Any, Any, Any],
        lr: float = 1e-2,
        momentum: float | None = None,
        nesterov: bool = False,
        weight_decay: float | None = None,
        decoupled: bool = False,
    ) -> None:
        super().__init__(model, lr)
        self.momentum = momentum
        self.nesterov = nesterov
        self.weight_decay = weight_decay
        self.decoupled = decoupled
        self.config()

    def config(self) -> SgdConfig:
        name = type(self).__name__
        momentum = check_optional(name, "momentum", self.momentum)
        if not isinstance(self.nesterov, bool):
            raise ValueError(f"{name}: nesterov must be a bool, got {self.nesterov!r}")
        if self.nesterov and not momentum:
            raise ValueError(f"{name}: nesterov=True needs a momentum > 0 (e.g. momentum=0.9)")
        wd, decoupled = check_weight_decay(name, self.weight_decay, self.decoupled)
        lr = check_at_least_zero(name, "lr", self.lr)
        return SgdConfig(lr, momentum, self.nesterov, wd, decoupled)

    def update_param(
        self,
        cfg: SgdConfig,
        param: Tensor[Any, Any, Any],
        grad: Any,
        state: dict[str, Any],
        grad_scale: float,
        master: Any | None,
    ) -> Any:
        velocity = None if cfg.momentum is None else self.state_buffer(state, "velocity", param)
        kernel = SGD_UPDATE.kernel(param.device)
        return kernel.update(cfg, param._data, grad, velocity, grad_scale, master)
