"""``Optimizer``: what every optimizer shares (dfdx's ``Optimizer`` trait and its visitor).

An optimizer keeps its hyperparameters as plain attributes (``opt.lr = 1e-4`` between
steps is a learning-rate schedule) and its per-parameter state (momentum buffers, Adam's
moments and step count) in ``opt.state``, keyed by the parameter's ``uid``. ``update(model,
grads)`` walks ``model.named_parameters()``, checks that every parameter got a gradient,
then hands each parameter, its gradient and its state to the optimizer's device kernel
(an ``Op`` like a tensor op's, so a fused Cuda kernel can be added next to ``cpu.py``).

Parameters of an ``AMP[f16]`` / ``AMP[bf16]`` model get f32 master weights: the update runs
on an f32 copy kept in the parameter's state (``"master"``, with f32 moments), and the
parameter receives the master rounded to half precision, so that updates smaller than
half precision's resolution still add up (PyTorch keeps f32 parameters under
``torch.autocast`` for the same reason). The kernels do this themselves: handed
``master=``, they read the half gradient, step the master in place and return its rounded
copy, in one Cuda launch per parameter.

A subclass supplies ``config()`` (its hyperparameters as a frozen, validated dataclass,
handed to the kernel) and ``update_param(cfg, param, grad, state, grad_scale, master)``
(one kernel call, passing ``grad_scale`` and ``master`` on).
"""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Any, Generic, TypeVar

from dfdx_py.autograd.gradients import Gradients
from dfdx_py.dtypes import AMP, f32
from dfdx_py.errors import TapeError
from dfdx_py.nn.module import Module
from dfdx_py.ops.to_dtype import TO_DTYPE
from dfdx_py.tensor import Tensor

C = TypeVar("C")


class UnusedParamsError(TapeError):
    """``opt.update(model, grads)`` found parameters without a gradient (dfdx's
    ``OptimizerUpdateError::UnusedParams``). ``names`` lists them, as in
    ``model.named_parameters()``. Nothing was updated."""

    def __init__(self, optimizer: str, names: list[str]) -> None:
        self.names = names
        listed = ", ".join(repr(n) for n in names)
        super().__init__(
            f"{optimizer}.update: no gradient for {len(names)} parameter(s): {listed}. "
            "The loss does not depend on them, or backward() has not run since zero_grads(); "
            "nothing was updated"
        )


def trainable(model: Module | Tensor[Any, Any, Any]) -> list[tuple[str, Tensor[Any, Any, Any]]]:
    """The float parameters of ``model`` by name, each tensor once (a tied weight is
    listed under its first name). A bare tensor is a model of one parameter, ``"tensor"``."""
    if isinstance(model, Tensor):
        named: Any = [("tensor", model)]
    elif isinstance(model, Module):
        named = model.named_parameters()
    else:
        raise TypeError(f"optimizers update a Module or a Tensor, got {type(model).__name__}")
    seen: set[int] = set()
    out = []
    for name, t in named:
        if t.dtype.is_float and t.uid not in seen:
            seen.add(t.uid)
            out.append((name, t))
    return out


class Optimizer(Generic[C]):
    """Base of ``Sgd``, ``Adam``, ``AdamW`` and ``RMSprop``::

        opt = optim.Adam(model, lr=1e-3)
        for x, y in batches:
            grads = model.alloc_grads()                 # or keep one and zero_grads() it
            loss = losses.mse_loss(model.forward_mut(x.traced(grads)), y)
            opt.update(model, loss.backward())
        opt.lr = 1e-4                                   # hyperparameters are attributes

    Parameters are updated in place: the same ``Tensor`` objects (same ``uid``) hold the new
    values. The Cpu kernels write a fresh array into each parameter rather than writing into
    the old one (which may be a read-only view), so a tensor sharing the old storage
    (``p.detach()``) keeps its values, as with dfdx's copy-on-write ``Arc::make_mut``.
    """

    lr: float
    """The learning rate, read at every ``update`` (set it between steps to schedule it)."""
    state: dict[int, dict[str, Any]]
    """Per-parameter state (buffers as device storage, counters as ints), by parameter uid."""

    def __init__(self, model: Module | Tensor[Any, Any, Any], lr: float) -> None:
        trainable(model)  # a TypeError now rather than at the first update
        self.lr = lr
        self.state = {}

    def config(self) -> C:
        """The hyperparameters as the kernel's config; ``ValueError`` for a bad value."""
        raise NotImplementedError

    def update_param(
        self,
        cfg: C,
        param: Tensor[Any, Any, Any],
        grad: Any,
        state: dict[str, Any],
        grad_scale: float,
        master: Any | None,
    ) -> Any:
        """One parameter's update: the new storage of ``param`` (``state`` updated). The
        kernel multiplies ``grad`` by ``grad_scale`` and, for an AMP parameter, steps its f32
        ``master`` in place (see the module docstring)."""
        raise NotImplementedError

    def update(
        self, model: Module | Tensor[Any, Any, Any], grads: Gradients, grad_scale: float = 1.0
    ) -> None:
        """Update every parameter of ``model`` from its gradient in ``grads``.

        ``grad_scale`` multiplies every gradient first (``LossScaler`` passes ``1 / scale``;
        for AMP parameters it is applied in f32, after the gradient leaves half precision).
        Raises ``UnusedParamsError`` naming the parameters that have no gradient, and
        ``ValueError`` for a bad hyperparameter, before anything is changed.
        """
        name = type(self).__name__
        if not isinstance(grads, Gradients):
            raise TypeError(
                f"{name}.update(model, grads): grads must be Gradients (what loss.backward() "
                f"returns), got {type(grads).__name__}"
            )
        cfg = self.config()
        params = trainable(model)
        found = [(n, p, grads.storage(p)) for n, p in params]
        missing = [n for n, _, g in found if g is None]
        if missing:
            raise UnusedParamsError(name, missing)
        for n, p, g in found:
            if tuple(g.shape) != p.shape:
                raise TapeError(
                    f"{name}.update: the gradient of {n!r} has shape {tuple(g.shape)}, "
                    f"the parameter {p.shape}"
                )
        for _, p, g in found:
            state = self.state.setdefault(p.uid, {})
            master = self._master(p, state) if issubclass(p.dtype, AMP) else None
            p._data = self.update_param(cfg, p, g, state, grad_scale, master)
            if master is not None:
                state["master_of"] = p._data

    @staticmethod
    def _master(param: Tensor[Any, Any, Any], state: dict[str, Any]) -> Any:
        """The f32 master weights of an AMP parameter, kept in ``state["master"]``. A
        parameter whose storage was replaced since the last update (weights loaded, ``p._data``
        assigned) re-seeds the master from its current values."""
        master = state.get("master")
        if master is None or state.get("master_of") is not param._data:
            cast = TO_DTYPE.kernel(param.device).forward
            master = state["master"] = cast(param._data, param.dtype, f32)
        return master

    def state_buffer(self, state: dict[str, Any], key: str, p: Tensor[Any, Any, Any]) -> Any:
        """``state[key]``, allocated as zeros of ``p``'s shape and device if absent: in f32
        for an AMP parameter (its state follows the master), else in ``p``'s dtype."""
        buf = state.get(key)
        if buf is None:
            dtype = f32 if state.get("master") is not None else p.dtype
            buf = state[key] = p.device._full(p.shape, dtype, 0.0)
        return buf

    def __repr__(self) -> str:
        cfg = self.config()
        args = ", ".join(f"{f.name}={getattr(cfg, f.name)!r}" for f in fields(cfg))  # type: ignore[arg-type]
        return f"{type(self).__name__}({args})"


# -- hyperparameter checks shared by the configs -------------------------------------------


def check_real(opt: str, name: str, value: Any) -> float:
    """``value`` as a float; ``ValueError`` unless it is a finite real number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)  # numpy scalars
        except (TypeError, ValueError):
            raise ValueError(f"{opt}: {name} must be a number, got {value!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{opt}: {name} must be finite, got {value!r}")
    return float(value)


def check_at_least_zero(opt: str, name: str, value: Any) -> float:
    v = check_real(opt, name, value)
    if v < 0:
        raise ValueError(f"{opt}: {name} must be >= 0, got {value!r}")
    return v


def check_fraction(opt: str, name: str, value: Any) -> float:
    """A value in ``[0, 1)`` (betas, momentum, alpha)."""
    v = check_real(opt, name, value)
    if not 0.0 <= v < 1.0:
        raise ValueError(f"{opt}: {name} must be in [0, 1), got {value!r}")
    return v


def check_optional(
    opt: str, name: str, value: Any, check: Any = check_at_least_zero
) -> float | None:
    return None if value is None else float(check(opt, name, value))


def check_weight_decay(opt: str, weight_decay: Any, decoupled: Any) -> tuple[float | None, bool]:
    """``(weight_decay, decoupled)`` validated; ``decoupled=True`` needs a weight decay."""
    wd = check_optional(opt, "weight_decay", weight_decay)
    if not isinstance(decoupled, bool):
        raise ValueError(f"{opt}: decoupled must be a bool, got {decoupled!r}")
    if decoupled and wd is None:
        raise ValueError(f"{opt}: decoupled=True needs a weight_decay (e.g. weight_decay=1e-2)")
    return wd, decoupled
