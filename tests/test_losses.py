"""Losses: values against PyTorch in f64 and f32 on drawn shapes, gradients against finite
differences and torch.autograd (for predictions and targets), stability, errors."""

from __future__ import annotations

import doctest
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

import dfdx_py as dfdx
from dfdx_py import f32, f64, losses
from tests.checks import arrays_of, check_backward, check_forward, check_op, shapes

Array = np.ndarray[Any, Any]


@st.composite
def pairs(draw: Any, min_dims: int = 0, kind: str = "normal") -> tuple[Array, Array]:
    """Two f64 arrays of one drawn shape: a prediction (or logits) and a target.

    ``kind``: ``normal`` targets; ``probs``, rows of probabilities along the last axis;
    ``binary``, targets uniform in [0, 1]."""
    shape = draw(shapes(min_dims=min_dims, max_dims=3))
    seed = draw(st.integers(0, 2**32 - 1))
    pred = np.asarray(arrays_of(shape, seed) * 2)
    if kind == "normal":
        return pred, np.asarray(arrays_of(shape, seed + 1))
    if kind == "binary":
        return pred, np.asarray(arrays_of(shape, seed + 1, 0.0, 1.0))
    raw = np.exp(arrays_of(shape, seed + 1))
    return pred, raw / raw.sum(axis=-1, keepdims=True)


def torch_per_row(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Any:
    """``fn`` on both arguments reshaped to ``(-1, C)`` (torch's class axis is 1, ours last)."""

    def call(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        c = logits.shape[-1]
        return fn(logits.reshape(-1, c), target.reshape(-1, c))

    return call


REGRESSION: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "mse_loss": (losses.mse_loss, F.mse_loss),
    "rmse_loss": (losses.rmse_loss, lambda p, t: torch.sqrt(F.mse_loss(p, t))),
    "mae_loss": (losses.mae_loss, F.l1_loss),
}


@pytest.mark.parametrize("name", list(REGRESSION))
@given(case=pairs())
def test_regression_losses(dev, name, case):
    fn, torch_fn = REGRESSION[name]
    check_op(dev, fn, list(case), torch_fn=torch_fn)


@given(case=pairs(), delta=st.sampled_from([0.3, 1.0, 2.5]))
def test_huber_loss(dev, case, delta):
    check_op(
        dev,
        lambda p, t: losses.huber_loss(p, t, delta),
        list(case),
        torch_fn=lambda p, t: F.huber_loss(p, t, delta=delta),
    )


@given(case=pairs(), beta=st.sampled_from([0.3, 1.0, 2.5]))
def test_smooth_l1_loss(dev, case, beta):
    check_op(
        dev,
        lambda p, t: losses.smooth_l1_loss(p, t, beta),
        list(case),
        torch_fn=lambda p, t: F.smooth_l1_loss(p, t, beta=beta),
    )


def test_huber_and_smooth_l1_default_to_torch_defaults(dev):
    p, t = np.array([0.2, -3.0, 1.5]), np.array([0.0, 0.0, 0.0])
    for fn, torch_fn in (
        (losses.huber_loss, F.huber_loss),
        (losses.smooth_l1_loss, F.smooth_l1_loss),
    ):
        check_forward(dev, fn, [p, t], torch_fn=torch_fn)


def test_smooth_l1_with_beta_zero_is_l1(dev):
    case = [np.array([0.2, -3.0, 1.5]), np.array([1.0, 0.0, 0.0])]
    check_op(
        dev,
        lambda p, t: losses.smooth_l1_loss(p, t, 0.0),
        case,
        torch_fn=lambda p, t: F.smooth_l1_loss(p, t, beta=0.0),
    )


@given(case=pairs(min_dims=1, kind="probs"))
def test_cross_entropy_with_logits(dev, case):
    check_op(
        dev,
        losses.cross_entropy_with_logits_loss,
        list(case),
        torch_fn=torch_per_row(F.cross_entropy),
    )


@given(case=pairs(min_dims=1, kind="probs"))
def test_kl_div_with_logits(dev, case):
    check_op(
        dev,
        losses.kl_div_with_logits_loss,
        list(case),
        torch_fn=torch_per_row(
            lambda x, t: F.kl_div(F.log_softmax(x, -1), t, reduction="batchmean")
        ),
    )


@given(case=pairs(kind="binary"))
def test_binary_cross_entropy_with_logits(dev, case):
    check_op(
        dev,
        losses.binary_cross_entropy_with_logits_loss,
        list(case),
        torch_fn=F.binary_cross_entropy_with_logits,
    )


# -- semantics and stability ------------------------------------------------------------------


def test_cross_entropy_with_one_hot_targets_is_torch_with_labels(dev):
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((6, 4))
    labels = np.array([0, 3, 1, 1, 2, 0])
    one_hot = np.eye(4)[labels]
    got = losses.cross_entropy_with_logits_loss(
        dev.tensor(logits, dtype=f64), dev.tensor(one_hot, dtype=f64)
    )
    want = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(labels))
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-12)
    assert got.shape == () and got.dtype is f64


@pytest.mark.parametrize("dtype", [f32, f64])
def test_classification_losses_are_stable_for_huge_logits(dev, dtype):
    logits = np.array([[1000.0, -1000.0, 0.0], [-500.0, 800.0, 20.0]])
    probs = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    torch_dtype = torch.float32 if dtype is f32 else torch.float64
    tl, tp = (torch.tensor(a, dtype=torch_dtype) for a in (logits, probs))
    cases = [
        (losses.cross_entropy_with_logits_loss, F.cross_entropy(tl, tp)),
        (
            losses.kl_div_with_logits_loss,
            F.kl_div(F.log_softmax(tl, -1), tp, reduction="batchmean"),
        ),
        (losses.binary_cross_entropy_with_logits_loss, F.binary_cross_entropy_with_logits(tl, tp)),
    ]
    for fn, want in cases:
        grads = dfdx.Gradients()
        x = dev.tensor(logits, dtype=dtype)
        loss = fn(x.trace(grads), dev.tensor(probs, dtype=dtype))
        assert np.isfinite(loss.item()), fn.__name__
        np.testing.assert_allclose(loss.item(), want.item(), rtol=1e-6, err_msg=fn.__name__)
        loss.backward()
        assert np.all(np.isfinite(grads.get(x).numpy())), fn.__name__


def test_kl_div_with_zero_target_probabilities(dev):
    # 0 * ln 0 = 0 (torch's xlogy): finite loss and gradient, equal to torch's
    logits = np.array([[0.5, -1.0, 2.0], [0.0, 0.3, -0.2]])
    probs = np.array([[0.0, 0.25, 0.75], [1.0, 0.0, 0.0]])
    check_op(
        dev,
        losses.kl_div_with_logits_loss,
        [logits, probs],
        torch_fn=lambda x, t: F.kl_div(F.log_softmax(x, -1), t, reduction="batchmean"),
        wrt=[0],
    )


def test_bce_gradient_at_zero_logit_is_sigmoid_minus_target(dev):
    targets = np.array([0.0, 0.25, 1.0])
    grads = dfdx.Gradients()
    x = dev.zeros((3,), dtype=f64)
    losses.binary_cross_entropy_with_logits_loss(
        x.trace(grads), dev.tensor(targets, dtype=f64)
    ).backward()
    np.testing.assert_allclose(grads.get(x).numpy(), (0.5 - targets) / 3, rtol=1e-14)


def test_rank1_cross_entropy_sums_the_classes(dev):
    logits, probs = np.array([0.3, -1.2, 2.0]), np.array([0.1, 0.6, 0.3])
    check_backward(
        dev,
        losses.cross_entropy_with_logits_loss,
        [logits, probs],
        torch_fn=lambda x, t: F.cross_entropy(x[None], t[None]),
    )


ALL_LOSSES: dict[str, Callable[..., Any]] = {
    "mse_loss": losses.mse_loss,
    "rmse_loss": losses.rmse_loss,
    "mae_loss": losses.mae_loss,
    "huber_loss": lambda p, t: losses.huber_loss(p, t, 1.0),
    "smooth_l1_loss": lambda p, t: losses.smooth_l1_loss(p, t, 1.0),
    "cross_entropy_with_logits_loss": losses.cross_entropy_with_logits_loss,
    "kl_div_with_logits_loss": losses.kl_div_with_logits_loss,
    "binary_cross_entropy_with_logits_loss": losses.binary_cross_entropy_with_logits_loss,
}


@pytest.mark.parametrize("name", list(ALL_LOSSES))
def test_loss_is_a_traced_rank0_mean(dev, name):
    grads = dfdx.Gradients()
    pred = dev.sample_normal((2, 3)).trace(grads)
    loss = ALL_LOSSES[name](pred, dev.sample_uniform((2, 3), 0.1, 0.9))
    assert loss.shape == () and loss.dtype is f32 and loss.is_traced
    loss.backward()
    assert grads.get(pred).shape == (2, 3)


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ALL_LOSSES))
def test_shape_mismatch_names_the_loss_and_both_shapes(dev, name):
    with pytest.raises(dfdx.ShapeError, match=rf"{name}: shapes differ: \(2, 3\) vs \(3, 2\)"):
        ALL_LOSSES[name](dev.zeros((2, 3)), dev.zeros((3, 2)))
    with pytest.raises(dfdx.ShapeError, match=rf"{name}: shapes differ: \(4,\) vs \(1, 4\)"):
        ALL_LOSSES[name](dev.zeros((4,)), dev.zeros((1, 4)))  # never broadcasts


@pytest.mark.parametrize("name", list(ALL_LOSSES))
def test_dtype_errors(dev, name):
    with pytest.raises(dfdx.DTypeError, match=rf"{name}: dtypes differ: .* f32, .* f64"):
        ALL_LOSSES[name](dev.zeros((2, 3)), dev.zeros((2, 3), dtype=f64))
    with pytest.raises(dfdx.DTypeError, match=rf"{name}: needs float tensors"):
        ALL_LOSSES[name](dev.zeros((2, 3)), dev.zeros((2, 3), dtype=dfdx.i64))
    with pytest.raises(TypeError, match=rf"{name}: .* must be a Tensor, got list"):
        ALL_LOSSES[name](dev.zeros((2,)), [1.0, 2.0])


def test_class_labels_are_not_probabilities(dev):
    with pytest.raises(dfdx.ShapeError, match="one-hot for labels"):
        losses.cross_entropy_with_logits_loss(dev.zeros((4, 10)), dev.arange(4))
    with pytest.raises(dfdx.ShapeError, match=r"logits of shape \(\) have no class axis"):
        losses.kl_div_with_logits_loss(dev.zeros(()), dev.zeros(()))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: losses.huber_loss(p, p, 0.0), r"huber_loss: delta must be finite and > 0"),
        (lambda p: losses.huber_loss(p, p, -1.0), r"delta must be finite and > 0"),
        (lambda p: losses.huber_loss(p, p, float("inf")), r"delta must be finite and > 0"),
        (lambda p: losses.smooth_l1_loss(p, p, -0.5), r"smooth_l1_loss: beta must be .* >= 0"),
    ],
)
def test_bad_delta_and_beta(dev, call, message):
    with pytest.raises(ValueError, match=message):
        call(dev.zeros((2,)))
    with pytest.raises(TypeError, match="delta must be a number"):
        losses.huber_loss(dev.zeros((2,)), dev.zeros((2,)), "1")  # type: ignore[arg-type]


def test_docstring_examples():
    result = doctest.testmod(losses, extraglobs={"dev": dfdx.Cpu(), "losses": losses})
    assert result.attempted >= 8 and result.failed == 0
