"""Optimizers: ``Sgd``, ``Adam``, ``AdamW``, ``RMSprop`` (dfdx's ``optim``)::

    opt = optim.Adam(model, lr=1e-3)
    grads = model.alloc_grads()
    for x, y in batches:
        loss = losses.mse_loss(model.forward_mut(x.traced(grads)), y)
        grads = loss.backward()
        opt.update(model, grads)        # UnusedParamsError if a parameter got no gradient
        model.zero_grads(grads)

dfdx's enums are spelled as keyword arguments: ``Momentum::Classic(m)`` is
``momentum=m``, ``Momentum::Nesterov(m)`` is ``momentum=m, nesterov=True``,
``WeightDecay::L2(w)`` is ``weight_decay=w`` and ``WeightDecay::Decoupled(w)`` is
``weight_decay=w, decoupled=True``.

AMP models (``build_module(Arch, AMP[bf16])``) are updated through f32 master weights; for f16,
``LossScaler`` scales the loss and skips steps whose gradients overflow.

Each optimizer's update is a device kernel registered like a tensor op
(``optim/<name>/cpu.py``); the walk over parameters, the state and the errors live in
``optimizer.py``.
"""

from dfdx_py.optim.adam import Adam, AdamConfig, AdamW
from dfdx_py.optim.loss_scaler import LossScaler
from dfdx_py.optim.optimizer import Optimizer, UnusedParamsError
from dfdx_py.optim.rmsprop import RMSprop, RMSpropConfig
from dfdx_py.optim.sgd import Sgd, SgdConfig

__all__ = [
    "Adam",
    "AdamConfig",
    "AdamW",
    "LossScaler",
    "Optimizer",
    "RMSprop",
    "RMSpropConfig",
    "Sgd",
    "SgdConfig",
    "UnusedParamsError",
]
