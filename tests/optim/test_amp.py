"""AMP training: f32 master weights in every optimizer, and the dynamic ``LossScaler``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import dfdx_py as dfdx
from dfdx_py import AMP, bf16, f16, f32, nn, optim
from dfdx_py.devices.base import Device

OPTIMIZERS = {
    "sgd": lambda m: optim.Sgd(m, lr=1e-4),
    "sgd_momentum": lambda m: optim.Sgd(m, lr=1e-4, momentum=0.9, weight_decay=1e-3),
    "adam": lambda m: optim.Adam(m, lr=1e-4),
    "adamw": lambda m: optim.AdamW(m, lr=1e-4),
    "rmsprop": lambda m: optim.RMSprop(m, lr=1e-4),
}


def constant_grads(p: Any, value: float) -> dfdx.Gradients:
    """A ``Gradients`` store holding ``value`` everywhere as the gradient of ``p``."""
    grads = dfdx.Gradients()
    (p.traced(grads) * value).sum().backward()
    return grads


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("half", [bf16, f16], ids=["bf16", "f16"])
def test_amp_parameters_follow_an_f32_master(dev: Device, name: str, half: Any) -> None:
    """Steps far below half precision's resolution at 1.0 (bf16: 2^-7) still add up in an AMP
    parameter, which equals the f32 run rounded to half; a plain half parameter is stuck."""
    start = (np.arange(12.0) / 8 + 0.5).reshape(3, 4)  # exact in f16 and bf16
    runs = {}
    for dtype in (f32, AMP[half], half):
        p = dev.tensor(start, dtype=dtype)
        opt = OPTIMIZERS[name](p)
        for _ in range(60):
            opt.update(p, constant_grads(p, 1.0))
        assert p.dtype is dtype
        runs[dtype] = p.numpy().astype(np.float64)
    want = runs[f32].astype(half.numpy).astype(np.float64)  # the f32 run, rounded once
    np.testing.assert_array_equal(runs[AMP[half]], want)
    assert np.max(np.abs(runs[f32] - start)) > 1e-3  # the updates did move the weights
    if half is bf16 and name == "sgd":  # 1e-4 steps round away at every update
        np.testing.assert_array_equal(runs[half], start.astype(half.numpy).astype(np.float64))


def test_amp_master_reseeds_when_weights_are_replaced(dev: Device) -> None:
    """Assigning new values to an AMP parameter (loading weights) restarts its master from
    them instead of overwriting them with the stale f32 copy."""
    p = dev.tensor(np.ones((2, 2)), dtype=AMP[bf16])
    opt = optim.Sgd(p, lr=0.5)
    opt.update(p, constant_grads(p, 1.0))
    np.testing.assert_array_equal(p.numpy().astype(np.float64), 0.5)
    p._data = dev.tensor(np.full((2, 2), 4.0), dtype=AMP[bf16])._data
    opt.update(p, constant_grads(p, 1.0))
    np.testing.assert_array_equal(p.numpy().astype(np.float64), 3.5)


def test_loss_scaler_unscales_before_the_step(dev: Device) -> None:
    """A scaled loss gives scaled gradients; the step equals the unscaled one."""
    model = dev.build_module(nn.Linear[3, 2], AMP[bf16])
    twin = dev.build_module(nn.Linear[3, 2], AMP[bf16])
    for (_, a), (_, b) in zip(model.named_parameters(), twin.named_parameters(), strict=True):
        b._data = a._data
    x = dev.tensor(np.arange(6.0).reshape(2, 3) / 6, dtype=AMP[bf16])
    scaler = optim.LossScaler(init_scale=256.0)
    opt, opt_twin = optim.Sgd(model, lr=0.1), optim.Sgd(twin, lr=0.1)
    grads = scaler.scale(model(x.traced(model.alloc_grads())).square().sum()).backward()
    assert scaler.update(opt, model, grads)
    opt_twin.update(twin, twin(x.traced(twin.alloc_grads())).square().sum().backward())
    for (n, a), (_, b) in zip(model.named_parameters(), twin.named_parameters(), strict=True):
        np.testing.assert_allclose(
            a.numpy().astype(np.float64), b.numpy().astype(np.float64), rtol=1e-2, err_msg=n
        )


def test_loss_scaler_skips_overflowing_steps_and_grows(dev: Device) -> None:
    p = dev.tensor(np.ones(4), dtype=AMP[f16])
    opt = optim.Sgd(p, lr=0.1)
    scaler = optim.LossScaler(init_scale=2.0**16, growth_interval=2)
    grads = scaler.scale((p.traced(dfdx.Gradients()) * 8.0).sum()).backward()  # 2^19: inf
    assert not scaler.update(opt, p, grads)
    assert scaler.scale_value == 2.0**15 and scaler.skipped_steps == 1
    np.testing.assert_array_equal(p.numpy(), 1.0)  # nothing moved
    for _ in range(2):
        grads = scaler.scale((p.traced(dfdx.Gradients()) * 0.5).sum()).backward()
        assert scaler.update(opt, p, grads)
    assert scaler.scale_value == 2.0**16  # two good steps in a row: grown back
    np.testing.assert_allclose(p.numpy().astype(np.float64), 1.0 - 2 * 0.1 * 0.5, rtol=1e-3)


def test_loss_scaler_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="LossScaler: needs init_scale > 0"):
        optim.LossScaler(init_scale=0.0)
    with pytest.raises(ValueError, match="growth_interval must be an int >= 1"):
        optim.LossScaler(growth_interval=0)
