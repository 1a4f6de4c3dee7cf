"""Optimizers step by step against torch.optim in f64, every option; the unused-parameter
error; in-place updates; learning-rate changes; gradient accumulation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import dfdx_py as dfdx
from dfdx_py import f32, f64, nn
from dfdx_py.devices.base import Device
from dfdx_py.optim import Adam, AdamW, Optimizer, RMSprop, Sgd, UnusedParamsError

Model = tuple[nn.Linear[3, 4], nn.Tanh, nn.Linear[4, 2]]
STEPS = 6


def torch_twin(model: Any) -> torch.nn.Sequential:
    """The torch model of ``Model`` holding ``model``'s weights (same state_dict keys)."""
    twin = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)
    ).double()
    ours = dict(model.named_parameters())
    with torch.no_grad():
        for name, p in twin.named_parameters():
            p.copy_(torch.from_numpy(ours[name].numpy()))
    return twin


def assert_same_params(model: Any, twin: torch.nn.Module, step: int) -> None:
    theirs = dict(twin.named_parameters(remove_duplicate=False))
    for name, p in model.named_parameters():
        np.testing.assert_allclose(
            p.numpy(),
            theirs[name].detach().numpy(),
            rtol=0,
            atol=1e-10,
            err_msg=f"{name} after step {step}",
        )


def compare_with_torch(
    dev: Device,
    make: Callable[[Any], Optimizer[Any]],
    make_torch: Callable[[Any], torch.optim.Optimizer],
    *,
    decoupled_wd: float = 0.0,
    lrs: list[float] | None = None,
    zero_grads: bool = True,
    steps: int = STEPS,
) -> None:
    """Train ``Model`` and its torch twin on the same batches, comparing every parameter
    after each step. ``decoupled_wd`` emulates decoupled weight decay on the torch side
    (``p *= 1 - lr * wd`` before the step), for the optimizers torch lacks it in.
    ``lrs`` sets the learning rate of each step on both sides."""
    model = dev.build_module(Model, f64)
    twin = torch_twin(model)
    opt = make(model)
    topt = make_torch(twin.parameters())
    rng = np.random.default_rng(7)
    grads = model.alloc_grads()
    for step in range(steps):
        if lrs is not None:
            opt.lr = lrs[step]
            for group in topt.param_groups:
                group["lr"] = lrs[step]
        x, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
        pred = model.forward_mut(dev.tensor(x, dtype=f64).traced(grads))
        grads = ((pred - dev.tensor(y, dtype=f64)).square().mean()).backward()
        ((twin(torch.from_numpy(x)) - torch.from_numpy(y)) ** 2).mean().backward()
        opt.update(model, grads)
        if decoupled_wd:
            lr = topt.param_groups[0]["lr"]
            with torch.no_grad():
                for p in twin.parameters():
                    p.mul_(1 - lr * decoupled_wd)
        topt.step()
        if zero_grads:
            model.zero_grads(grads)
            topt.zero_grad()
        assert_same_params(model, twin, step)


# -- Sgd ------------------------------------------------------------------------------------

MOMENTA = {"plain": (None, False), "classic": (0.9, False), "nesterov": (0.9, True)}
DECAYS = {"no_wd": (None, False), "l2": (0.1, False), "decoupled": (0.1, True)}


@pytest.mark.parametrize("decay", list(DECAYS))
@pytest.mark.parametrize("momentum", list(MOMENTA))
def test_sgd_matches_torch(dev, momentum, decay):
    m, nesterov = MOMENTA[momentum]
    wd, decoupled = DECAYS[decay]
    compare_with_torch(
        dev,
        lambda model: Sgd(
            model, lr=0.1, momentum=m, nesterov=nesterov, weight_decay=wd, decoupled=decoupled
        ),
        lambda params: torch.optim.SGD(
            params,
            lr=0.1,
            momentum=m or 0.0,
            nesterov=nesterov,
            weight_decay=0.0 if decoupled or wd is None else wd,
        ),
        decoupled_wd=wd if decoupled and wd else 0.0,
    )


def test_sgd_learning_rate_schedule(dev):
    compare_with_torch(
        dev,
        lambda model: Sgd(model, lr=0.1, momentum=0.5, weight_decay=0.05, decoupled=True),
        lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.5),
        decoupled_wd=0.05,
        lrs=[0.1, 0.1, 0.02, 0.3, 0.0, 0.05],
    )


def test_gradients_accumulate_without_zero_grads(dev):
    compare_with_torch(
        dev,
        lambda model: Sgd(model, lr=0.05, momentum=0.9),
        lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        zero_grads=False,
    )


# -- Adam, AdamW ----------------------------------------------------------------------------

ADAM_CASES: dict[str, tuple[Callable[[Any], Optimizer[Any]], Callable[[Any], Any]]] = {
    "default": (Adam, lambda p: torch.optim.Adam(p)),
    "custom": (
        lambda m: Adam(m, lr=0.05, betas=(0.5, 0.25), eps=1e-6),
        lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.5, 0.25), eps=1e-6),
    ),
    "l2": (
        lambda m: Adam(m, lr=0.01, weight_decay=0.1),
        lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1),
    ),
    "decoupled": (
        lambda m: Adam(m, lr=0.01, weight_decay=0.1, decoupled=True),
        lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
    ),
    "adamw_default": (AdamW, lambda p: torch.optim.AdamW(p)),
    "adamw_custom": (
        lambda m: AdamW(m, lr=0.02, betas=(0.8, 0.99), eps=1e-7, weight_decay=0.3),
        lambda p: torch.optim.AdamW(p, lr=0.02, betas=(0.8, 0.99), eps=1e-7, weight_decay=0.3),
    ),
}


@pytest.mark.parametrize("case", list(ADAM_CASES))
def test_adam_matches_torch(dev, case):
    make, make_torch = ADAM_CASES[case]
    compare_with_torch(dev, make, make_torch)


def test_adam_learning_rate_schedule(dev):
    compare_with_torch(
        dev,
        lambda model: AdamW(model, lr=0.01),
        lambda params: torch.optim.AdamW(params, lr=0.01),
        lrs=[0.01, 0.05, 0.05, 0.001, 0.02, 0.02],
    )


# -- RMSprop --------------------------------------------------------------------------------


@pytest.mark.parametrize("decay", list(DECAYS))
@pytest.mark.parametrize("momentum", [None, 0.5])
@pytest.mark.parametrize("centered", [False, True])
def test_rmsprop_matches_torch(dev, centered, momentum, decay):
    wd, decoupled = DECAYS[decay]
    compare_with_torch(
        dev,
        lambda model: RMSprop(
            model,
            lr=0.01,
            momentum=momentum,
            centered=centered,
            weight_decay=wd,
            decoupled=decoupled,
        ),
        lambda params: torch.optim.RMSprop(
            params,
            lr=0.01,
            alpha=0.9,
            eps=1e-8,
            momentum=momentum or 0.0,
            centered=centered,
            weight_decay=0.0 if decoupled or wd is None else wd,
        ),
        decoupled_wd=wd if decoupled and wd else 0.0,
    )


def test_rmsprop_alpha_eps_and_schedule(dev):
    compare_with_torch(
        dev,
        lambda model: RMSprop(model, lr=0.02, alpha=0.5, eps=1e-3, momentum=0.9),
        lambda params: torch.optim.RMSprop(params, lr=0.02, alpha=0.5, eps=1e-3, momentum=0.9),
        lrs=[0.02, 0.02, 0.01, 0.01, 0.05, 0.001],
    )


# -- defaults, in-place updates, state --------------------------------------------------------


def test_defaults_are_dfdx_defaults(dev):
    model = dev.build_module(Model, f32)
    sgd = Sgd(model)
    assert (sgd.lr, sgd.momentum, sgd.nesterov, sgd.weight_decay, sgd.decoupled) == (
        1e-2,
        None,
        False,
        None,
        False,
    )
    adam = Adam(model)
    assert (adam.lr, adam.betas, adam.eps, adam.weight_decay, adam.decoupled) == (
        1e-3,
        (0.9, 0.999),
        1e-8,
        None,
        False,
    )
    adamw = AdamW(model)
    assert (adamw.weight_decay, adamw.decoupled) == (1e-2, True)
    rms = RMSprop(model)
    assert (rms.lr, rms.alpha, rms.eps, rms.momentum, rms.centered, rms.weight_decay) == (
        1e-2,
        0.9,
        1e-8,
        None,
        False,
        None,
    )
    assert repr(sgd) == (
        "Sgd(lr=0.01, momentum=None, nesterov=False, weight_decay=None, decoupled=False)"
    )


@pytest.mark.parametrize("make", [Sgd, Adam, AdamW, RMSprop])
def test_update_is_in_place_and_copy_on_write(dev, make):
    model = dev.build_module(Model, f32)
    before = {name: (p, p.uid, p.detach(), p.numpy()) for name, p in model.named_parameters()}
    opt = make(model, lr=0.1)
    grads = model.alloc_grads()
    x = dev.sample_normal((5, 3))
    opt.update(model, model.forward_mut(x.traced(grads)).square().mean().backward())
    for name, p in model.named_parameters():
        tensor, uid, detached, values = before[name]
        assert p is tensor and p.uid == uid, name
        assert p.dtype is f32 and p.numpy().dtype == np.float32
        assert not np.array_equal(p.numpy(), values), f"{name} did not move"
        np.testing.assert_array_equal(detached.numpy(), values)  # old storage untouched
    assert set(opt.state) == {p.uid for p in model.parameters()}


def test_f32_follows_the_f64_trajectory(dev):
    m64 = dev.build_module(Model, f64)
    m32 = dev.build_module(Model, f32)
    for (_, a), (_, b) in zip(m32.named_parameters(), m64.named_parameters(), strict=True):
        a._data = dev.tensor(b.numpy(), dtype=f32)._data
    results = []
    for model, dtype in ((m64, f64), (m32, f32)):
        opt = Adam(model, lr=0.01, weight_decay=0.01)
        rng = np.random.default_rng(3)
        for _ in range(STEPS):
            grads = model.alloc_grads()
            x = dev.tensor(rng.standard_normal((5, 3)), dtype=dtype)
            opt.update(model, model.forward_mut(x.traced(grads)).square().mean().backward())
        results.append([p.numpy() for p in model.parameters()])
    for a, b in zip(*results, strict=True):
        assert b.dtype == np.float32
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("dtype", [dfdx.f16, dfdx.bf16, f32, f64])
def test_a_bare_tensor_is_a_model(dev, dtype):
    # dfdx's "perfect sgd": lr 1, loss |pred - 1|.mean() over 5 elements, 5 steps
    pred = dev.zeros((5,), dtype=dtype)
    opt = Sgd(pred, lr=1.0)
    target = dev.ones((5,), dtype=dtype)
    for _ in range(5):
        opt.update(pred, (pred.trace() - target).abs().mean().backward())
    assert pred.dtype is dtype
    np.testing.assert_allclose(pred.numpy().astype(np.float64), np.ones(5), atol=1e-2)


def test_tied_parameters_are_updated_once(dev):
    model = dev.build_module(tuple[nn.Linear[3, 3], nn.Linear[3, 3]], f64)
    model[1].weight = model[0].weight
    twin = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Linear(3, 3)).double()
    twin[1].weight = twin[0].weight
    ours = dict(model.named_parameters())
    with torch.no_grad():
        for name, p in twin.named_parameters():
            p.copy_(torch.from_numpy(ours[name].numpy()))
    opt = Adam(model, lr=0.05)
    topt = torch.optim.Adam(twin.parameters(), lr=0.05)
    rng = np.random.default_rng(1)
    for step in range(STEPS):
        x = rng.standard_normal((4, 3))
        grads = model.alloc_grads()
        opt.update(
            model, model.forward_mut(dev.tensor(x, dtype=f64).traced(grads)).sum().backward()
        )
        topt.zero_grad()
        twin(torch.from_numpy(x)).sum().backward()
        topt.step()
        assert_same_params(model, twin, step)
    assert len(opt.state) == 3


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [Sgd, Adam, AdamW, RMSprop])
def test_unused_parameters_are_named_and_nothing_changes(dev, make):
    model = dev.build_module(tuple[nn.Linear[3, 4], nn.Linear[4, 2]], f32)
    before = [p.numpy() for p in model.parameters()]
    opt = make(model, lr=0.1)
    grads = model.alloc_grads()
    loss = model[0].forward_mut(dev.sample_normal((2, 3)).traced(grads)).square().mean()
    grads = loss.backward()
    with pytest.raises(UnusedParamsError, match=r"2 parameter\(s\): '1.weight', '1.bias'") as e:
        opt.update(model, grads)
    assert e.value.names == ["1.weight", "1.bias"]
    assert isinstance(e.value, dfdx.TapeError) and isinstance(e.value, RuntimeError)
    assert "nothing was updated" in str(e.value)
    for p, b in zip(model.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.numpy(), b)
    assert opt.state == {}


def test_an_empty_store_names_every_parameter(dev):
    model = dev.build_module(Model, f32)
    with pytest.raises(UnusedParamsError) as e:
        Adam(model).update(model, dfdx.Gradients())
    assert e.value.names == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_update_after_zero_grads_without_backward_fails(dev):
    model = dev.build_module(Model, f32)
    opt = Sgd(model)
    grads = model.alloc_grads()
    opt.update(model, model.forward_mut(dev.sample_normal((2, 3)).traced(grads)).sum().backward())
    model.zero_grads(grads)
    with pytest.raises(UnusedParamsError):
        opt.update(model, grads)


BAD_HYPERPARAMETERS = [
    (lambda m: Sgd(m, lr=-1.0), "lr must be >= 0"),
    (lambda m: Sgd(m, lr=float("nan")), "lr must be finite"),
    (lambda m: Sgd(m, lr="big"), "lr must be a number"),
    (lambda m: Sgd(m, momentum=-0.5), "momentum must be >= 0"),
    (lambda m: Sgd(m, nesterov=True), "nesterov=True needs a momentum"),
    (lambda m: Sgd(m, decoupled=True), "decoupled=True needs a weight_decay"),
    (lambda m: Sgd(m, weight_decay=-1.0), "weight_decay must be >= 0"),
    (lambda m: Adam(m, betas=(0.9,)), "betas must be a pair"),
    (lambda m: Adam(m, betas=(1.0, 0.999)), r"betas\[0\] must be in \[0, 1\)"),
    (lambda m: Adam(m, eps=-1e-8), "eps must be >= 0"),
    (lambda m: AdamW(m, weight_decay=None), "decoupled=True needs a weight_decay"),
    (lambda m: RMSprop(m, alpha=1.5), r"alpha must be in \[0, 1\)"),
    (lambda m: RMSprop(m, centered=1), "centered must be a bool"),
]


@pytest.mark.parametrize(("make", "message"), BAD_HYPERPARAMETERS)
def test_bad_hyperparameters(dev, make, message):
    with pytest.raises(ValueError, match=message):
        make(dev.build_module(Model, f32))


def test_a_bad_learning_rate_set_later_fails_before_any_change(dev):
    model = dev.build_module(Model, f32)
    opt = Adam(model)
    grads = model.alloc_grads()
    grads = model.forward_mut(dev.sample_normal((2, 3)).traced(grads)).sum().backward()
    before = [p.numpy() for p in model.parameters()]
    opt.lr = -0.1
    with pytest.raises(ValueError, match="Adam: lr must be >= 0"):
        opt.update(model, grads)
    for p, b in zip(model.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.numpy(), b)
    opt.lr = 0.1
    opt.update(model, grads)
    assert opt.state[model.parameters()[0].uid]["step"] == 1


def test_not_a_model():
    with pytest.raises(TypeError, match="update a Module or a Tensor, got list"):
        Sgd([1.0, 2.0])  # type: ignore[arg-type]


def test_update_kernels_are_registered_ops(dev):
    from dfdx_py.ops.registry import ALL_OPS

    for name in ("sgd_update", "adam_update", "rmsprop_update"):
        assert hasattr(ALL_OPS[name].kernel(dev), "update")


def test_grads_must_be_a_gradient_store(dev):
    model = dev.build_module(Model, f32)
    with pytest.raises(TypeError, match=r"grads must be Gradients .* got dict"):
        Sgd(model).update(model, {})  # type: ignore[arg-type]


def test_adam_updates_a_rank0_parameter(dev):
    """0-d arithmetic gives numpy scalars: the in-place Cpu path must not see them."""
    p = dev.tensor(1.0, dtype=dfdx.f64)
    opt = Adam(p, lr=0.1)
    grads = dfdx.Gradients()
    (p.traced(grads) * 2.0).backward()
    opt.update(p, grads)
    np.testing.assert_allclose(p.numpy(), 0.9)  # the first Adam step moves by lr
