"""LayerNorm1D, BatchNorm1D and BatchNorm2D against PyTorch, with their gradients."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import dfdx_py as dfdx
from dfdx_py import f32, f64, i64
from dfdx_py.nn.module import Module
from dfdx_py.nn.norm import BatchNorm1D, BatchNorm2D, LayerNorm1D
from tests.checks import arrays_of, check_module_gradients


def to_torch(t: dfdx.Tensor[Any, Any, Any]) -> torch.Tensor:
    return torch.from_numpy(t.numpy())


def assert_close(got: Any, want: torch.Tensor, dtype: Any) -> None:
    tol = {"rtol": 1e-10, "atol": 1e-12} if dtype is f64 else {"rtol": 1e-5, "atol": 1e-6}
    got = got.numpy() if isinstance(got, dfdx.Tensor) else np.asarray(got)
    np.testing.assert_allclose(got, want.detach().numpy(), **tol)


def randomise(module: Module, seed: int) -> None:
    """Random parameters (not ones and zeros), so the affine part is really checked."""
    rng = np.random.default_rng(seed)
    for p in module.parameters():
        p._data = p.device._from_numpy(rng.uniform(0.5, 1.5, p.shape).astype(p.dtype.numpy))


def state_dict_layout(module: Module) -> dict[str, tuple[int, ...]]:
    return {name: t.shape for name, t in module.named_tensors()}


def torch_layout(module: torch.nn.Module) -> dict[str, tuple[int, ...]]:
    return {name: tuple(t.shape) for name, t in module.state_dict().items()}


# -- LayerNorm1D ----------------------------------------------------------------------------


def test_layer_norm_layout_matches_torch(dev):
    norm = dev.build_module(LayerNorm1D[5], f32)
    assert state_dict_layout(norm) == torch_layout(torch.nn.LayerNorm(5))
    np.testing.assert_array_equal(norm.weight.numpy(), np.ones(5))
    np.testing.assert_array_equal(norm.bias.numpy(), np.zeros(5))
    assert norm.num_params() == 10


@pytest.mark.parametrize("dtype", [f64, f32])
@pytest.mark.parametrize("shape", [(5,), (3, 5), (2, 3, 5)])
def test_layer_norm_matches_torch(dev, dtype, shape):
    norm = dev.build_module(LayerNorm1D[5], dtype)
    randomise(norm, 1)
    x = arrays_of(shape, 2) * 3 + 1
    want = torch.nn.functional.layer_norm(
        torch.from_numpy(x.astype(dtype.numpy)), (5,), to_torch(norm.weight), to_torch(norm.bias)
    )
    y = norm(dev.tensor(x, dtype=dtype))
    assert y.dtype is dtype
    assert_close(y, want, dtype)


def test_layer_norm_gradients(dev):
    norm = dev.build_module(LayerNorm1D[4], f64)
    randomise(norm, 3)
    check_module_gradients(dev, norm, [arrays_of((3, 4), 4)], rtol=1e-5, atol=1e-7)


def test_layer_norm_wrong_width(dev):
    norm = dev.build_module(LayerNorm1D[4], f32)
    with pytest.raises(dfdx.ShapeError, match=r"nn.LayerNorm1D\[4\] expects last dim 4, got 3"):
        norm(dev.zeros((2, 3)))


# -- BatchNorm -------------------------------------------------------------------------------


def test_batch_norm_layout_matches_torch(dev):
    bn = dev.build_module(BatchNorm2D[3], f32)
    assert state_dict_layout(bn) == torch_layout(torch.nn.BatchNorm2d(3))
    assert state_dict_layout(dev.build_module(BatchNorm1D[4], f32)) == torch_layout(
        torch.nn.BatchNorm1d(4)
    )
    assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]
    assert bn.num_batches_tracked.dtype is i64 and bn.num_batches_tracked.item() == 0
    np.testing.assert_array_equal(bn.running_mean.numpy(), np.zeros(3))
    np.testing.assert_array_equal(bn.running_var.numpy(), np.ones(3))
    np.testing.assert_array_equal(bn.weight.numpy(), np.ones(3))
    np.testing.assert_array_equal(bn.bias.numpy(), np.zeros(3))
    assert bn.running_var.dtype is f32
    assert bn.eps == 1e-5 and bn.momentum == 0.1


BATCH_NORMS = [
    pytest.param(BatchNorm1D, torch.nn.BatchNorm1d, (6, 3), False, id="1d-BC"),
    pytest.param(BatchNorm1D, torch.nn.BatchNorm1d, (4, 3, 5), False, id="1d-BCL"),
    pytest.param(BatchNorm2D, torch.nn.BatchNorm2d, (4, 3, 2, 5), False, id="2d-BCHW"),
    pytest.param(BatchNorm2D, torch.nn.BatchNorm2d, (3, 4, 5), True, id="2d-CHW"),
]


@pytest.mark.parametrize("dtype", [f64, f32])
@pytest.mark.parametrize(("module", "torch_module", "shape", "unbatched"), BATCH_NORMS)
def test_batch_norm_training_steps_then_inference_match_torch(
    dev, dtype, module, torch_module, shape, unbatched
):
    """Three forward_mut steps move the running statistics as torch's train() mode does
    (unbiased variance); an inference call then uses them, as torch's eval() mode."""
    tdtype = torch.float64 if dtype is f64 else torch.float32
    bn = dev.build_module(module[3], dtype)
    randomise(bn, 5)
    ref = torch_module(3).to(tdtype)
    with torch.no_grad():
        ref.weight.copy_(to_torch(bn.weight))
        ref.bias.copy_(to_torch(bn.bias))
    buffers = [bn.running_mean, bn.running_var, bn.num_batches_tracked]

    def torch_input(x: np.ndarray) -> torch.Tensor:
        t = torch.from_numpy(x.astype(dtype.numpy))
        return t.unsqueeze(0) if unbatched else t

    def from_torch(t: torch.Tensor) -> torch.Tensor:
        return t.squeeze(0) if unbatched else t

    ref.train()
    for step in range(3):
        x = arrays_of(shape, 10 + step) * (step + 1) + step  # moving statistics
        y = bn.forward_mut(dev.tensor(x, dtype=dtype))
        assert_close(y, from_torch(ref(torch_input(x))), dtype)
        assert_close(bn.running_mean, ref.running_mean, dtype)
        assert_close(bn.running_var, ref.running_var, dtype)
        assert bn.num_batches_tracked.item() == ref.num_batches_tracked.item() == step + 1
    # the buffers were updated in place: the same tensors, new values
    now = [bn.running_mean, bn.running_var, bn.num_batches_tracked]
    assert all(a is b for a, b in zip(now, buffers, strict=True))
    ref.eval()
    x = arrays_of(shape, 20) * 2
    mean_before = bn.running_mean.numpy()
    y = bn(dev.tensor(x, dtype=dtype))
    assert_close(y, from_torch(ref(torch_input(x))), dtype)
    np.testing.assert_array_equal(bn.running_mean.numpy(), mean_before)  # inference: unchanged
    assert bn.num_batches_tracked.item() == 3


def test_batch_norm_buffers_keep_their_identity(dev):
    bn = dev.build_module(BatchNorm1D[2], f32)
    before = dict(bn.named_tensors())
    bn.forward_mut(dev.sample_normal((5, 2)))
    after = dict(bn.named_tensors())
    assert all(after[name] is t for name, t in before.items())
    assert bn.running_mean.numpy().any()


@pytest.mark.parametrize(
    ("module", "shape"), [(BatchNorm1D, (5, 3, 2)), (BatchNorm2D, (2, 3, 2, 2))]
)
def test_batch_norm_gradients_in_training_and_inference(dev, module, shape):
    bn = dev.build_module(module[3], f64)
    randomise(bn, 6)
    x = arrays_of(shape, 7)
    check_module_gradients(dev, bn, [x], train=True, rtol=1e-5, atol=1e-7)
    bn.running_mean._data = dev._from_numpy(np.array([0.5, -0.2, 0.1]))
    bn.running_var._data = dev._from_numpy(np.array([2.0, 0.5, 1.5]))
    check_module_gradients(dev, bn, [x], train=False, rtol=1e-5, atol=1e-7)


def test_batch_norm_gradients_match_torch_autograd(dev):
    bn = dev.build_module(BatchNorm2D[2], f64)
    randomise(bn, 8)
    x = arrays_of((3, 2, 3, 3), 9)
    grads = bn.alloc_grads()
    xt = dev.tensor(x, dtype=f64)
    bn.forward_mut(xt.trace(grads)).exp().mean().backward()
    ref = torch.nn.BatchNorm2d(2).double()
    with torch.no_grad():
        ref.weight.copy_(to_torch(bn.weight))
        ref.bias.copy_(to_torch(bn.bias))
    tx = torch.from_numpy(x).requires_grad_(True)
    ref(tx).exp().mean().backward()
    assert_close(grads.get(xt), tx.grad, f64)
    assert_close(grads.get(bn.weight), ref.weight.grad, f64)
    assert_close(grads.get(bn.bias), ref.bias.grad, f64)


@pytest.mark.parametrize(
    ("module", "shape", "message"),
    [
        (BatchNorm1D, (4, 2), r"nn.BatchNorm1D\[3\] expects 3 channels at axis 1 of \(B, C\)"),
        (BatchNorm1D, (4,), r"nn.BatchNorm1D\[3\] expects an input \(B, C\) or \(B, C, L\)"),
        (BatchNorm1D, (2, 3, 4, 5), r"expects an input \(B, C\) or \(B, C, L\)"),
        (BatchNorm2D, (2, 4, 5, 5), r"nn.BatchNorm2D\[3\] expects 3 channels at axis 1"),
        (BatchNorm2D, (4, 5, 5), r"expects 3 channels at axis 0 of \(C, H, W\), got 4"),
        (BatchNorm2D, (3, 5), r"expects an input \(C, H, W\) or \(B, C, H, W\)"),
    ],
)
def test_batch_norm_wrong_input(dev, module, shape, message):
    bn = dev.build_module(module[3], f32)
    with pytest.raises(dfdx.ShapeError, match=message):
        bn(dev.zeros(shape))
    with pytest.raises(dfdx.ShapeError, match=message):
        bn.forward_mut(dev.zeros(shape))


def test_batch_norm_training_needs_two_values_per_channel(dev):
    bn = dev.build_module(BatchNorm1D[3], f32)
    with pytest.raises(dfdx.ShapeError, match="more than one value per channel"):
        bn.forward_mut(dev.zeros((1, 3)))
    assert bn.num_batches_tracked.item() == 0
    assert bn(dev.zeros((1, 3))).shape == (1, 3)  # inference is fine
