"""Adam and AdamW (dfdx's ``Adam``, with L2 or decoupled weight decay; PyTorch's
``torch.optim.Adam`` and ``torch.optim.AdamW``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from dfdx_py.ops.registry import Op
from dfdx_py.optim.optimizer import (
    Optimizer,
    check_at_least_zero,
    check_fraction,
    check_weight_decay,
)

if TYPE_CHECKING:
    from dfdx_py.nn.module import Module
    from dfdx_py.tensor import Tensor


@dataclass(frozen=True)
class AdamConfig:
    """Adam's hyperparameters as the kernel reads them (dfdx's ``AdamConfig``)."""

    lr: float
    betas: tuple[float, float]
    eps: float
    weight_decay: float | None
    decoupled: bool


class AdamKernel(Protocol):
    """One parameter's Adam step on device storage; ``t`` is the parameter's step count
    (1 on its first update). ``m`` and ``v`` are updated in place; returns the parameter's
    new storage (the Cpu never writes into ``param``). ``grad`` is multiplied by
    ``grad_scale`` first; with ``master`` (the f32 master weights of an AMP parameter, f32
    ``m`` and ``v``) the step is taken on ``master``, updated in place, and the return is
    it rounded to ``param``'s dtype::

        g = grad + wd * param                              (L2 weight decay)
        m = b1 * m + (1 - b1) * g;  v = b2 * v + (1 - b2) * g²
        param - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
              - lr * wd * param                            (decoupled weight decay)
    """

    def update(
        self,
        cfg: AdamConfig,
        t: int,
        param: Any,
        grad: Any,
        m: Any,
        v: Any,
        grad_scale: float = 1.0,
        master: Any | None = None,
    ) -> Any: ...


ADAM_UPDATE = Op[AdamKernel]("adam_update", __name__)


class Adam(Optimizer[AdamConfig]):
    """Adam (Kingma & Ba, 2014). dfdx: ``Adam::new(&model, AdamConfig { .. })``; PyTorch:
    ``torch.optim.Adam`` (``amsgrad=False``)::

        opt = optim.Adam(model, lr=1e-3)
        opt.update(model, grads)

    Arguments (dfdx's defaults, which are also PyTorch's):

    - ``lr=1e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8`` (added to ``sqrt(v̂)``).
    - ``weight_decay=None``: a float adds ``weight_decay * param`` to the gradient (dfdx
      ``WeightDecay::L2``, PyTorch ``Adam(weight_decay=...)``), or with ``decoupled=True``
      subtracts ``lr * weight_decay * param`` from the parameter (dfdx
      ``WeightDecay::Decoupled``; PyTorch ``AdamW``; see :class:`AdamW`).

    The step count is kept per parameter (PyTorch's ``state["step"]``); since every
    parameter is updated at every ``update``, it equals dfdx's single counter.
    """

    def __init__(
        self,
        model: Module | Tensor[Any, Any, Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float | None = None,
        decoupled: bool = False,
    ) -> None:
        super().__init__(model, lr)
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.decoupled = decoupled
        self.config()

    def config(self) -> AdamConfig:
        name = type(self).__name__
        lr = check_at_least_zero(name, "lr", self.lr)
        if not isinstance(self.betas, (tuple, list)) or len(self.betas) != 2:
            raise ValueError(f"{name}: betas must be a pair (b1, b2), got {self.betas!r}")
        b1 = check_fraction(name, "betas[0]", self.betas[0])
        b2 = check_fraction(name, "betas[1]", self.betas[1])
        eps = check_at_least_zero(name, "eps", self.eps)
        wd, decoupled = check_weight_decay(name, self.weight_decay, self.decoupled)
        return AdamConfig(lr, (b1, b2), eps, wd, decoupled)

    def update_param(
        self,
        cfg: AdamConfig,
        param: Tensor[Any, Any, Any],
        grad: Any,
        state: dict[str, Any],
        grad_scale: float,
        master: Any | None,
    ) -> Any:
        m = self.state_buffer(state, "moment1", param)
        v = self.state_buffer(state, "moment2", param)
        t = state["step"] = state.get("step", 0) + 1
        kernel = ADAM_UPDATE.kernel(param.device)
        return kernel.update(cfg, t, param._data, grad, m, v, grad_scale, master)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2017): ``Adam(...,
    weight_decay=weight_decay, decoupled=True)``, dfdx's ``WeightDecay::Decoupled``.
    PyTorch: ``torch.optim.AdamW``, whose defaults it takes (``weight_decay=1e-2``; dfdx has
    no ``AdamW`` of its own)::

        opt = optim.AdamW(model, lr=1e-3, weight_decay=1e-2)
    """

    def __init__(
        self,
        model: Module | Tensor[Any, Any, Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(model, lr, betas, eps, weight_decay, decoupled=True)
