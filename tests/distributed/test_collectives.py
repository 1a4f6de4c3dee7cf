"""``broadcast``, ``all_reduce`` and ``all_reduce_tensor`` in one process, on every device: the
fused buckets carry every tensor to and from the backend in place (a stand-in backend that
triples what it is given shows where each value lands)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

import dfdx_py as dfdx
from dfdx_py import Device, losses, nn
from dfdx_py import distributed as dist
from dfdx_py.distributed import collectives
from dfdx_py.optim import UnusedParamsError

Model = tuple[nn.Linear[5, 7], nn.BatchNorm1D[7], nn.ReLU, nn.Linear[7, 3]]


class Tripling:
    """A stand-in for a world of 3 identical ranks: a sum triples, a mean keeps; a broadcast
    adds 1 (so a test sees that the value came back). Records the buffers it was given."""

    name = "tripling"

    def __init__(self) -> None:
        self.calls: list[list[tuple[int, ...]]] = []

    def all_reduce(self, buffers: Sequence[Any], device: Device, average: bool) -> list[Any]:
        self.calls.append([tuple(b.shape) for b in buffers])
        scale = 1 if average else 3
        return [device._from_numpy(device._to_numpy(b) * scale) for b in buffers]

    def broadcast(self, buffers: Sequence[Any], device: Device, root: int) -> list[Any]:
        self.calls.append([tuple(b.shape) for b in buffers])
        return [device._from_numpy(device._to_numpy(b) + 1) for b in buffers]

    def barrier(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def tripling(clean_env: pytest.MonkeyPatch) -> Tripling:
    dist.init("single")
    backend = Tripling()
    dist.process_group().backend = backend
    return backend


def trained_grads(dev: Device, dtype: Any = dfdx.f32) -> tuple[Any, dfdx.Gradients]:
    model = dev.build_module(Model, dtype)
    x = dev.sample_normal((6, 5)).to_dtype(dtype)
    grads = model.alloc_grads()
    loss = losses.mse_loss(model.forward_mut(x.traced(grads)), dev.zeros((6, 3)).to_dtype(dtype))
    return model, loss.backward()


def grad_arrays(model: Any, grads: dfdx.Gradients) -> dict[str, np.ndarray]:
    return {n: grads.get(p).numpy().astype(np.float64) for n, p in model.named_parameters()}


@pytest.mark.parametrize("bucket_bytes", [25 * 2**20, 64], ids=["one-bucket", "many-buckets"])
def test_all_reduce_sums_each_gradient_in_place(
    dev: Device, tripling: Tripling, monkeypatch: pytest.MonkeyPatch, bucket_bytes: int
) -> None:
    monkeypatch.setattr(collectives, "BUCKET_BYTES", bucket_bytes)
    model, grads = trained_grads(dev)
    before = grad_arrays(model, grads)
    assert dist.all_reduce(grads, model, average=False) is grads
    after = grad_arrays(model, grads)
    for name in before:
        np.testing.assert_allclose(after[name], 3 * before[name], rtol=1e-6, err_msg=name)
    sizes = [sum(int(np.prod(s)) for s in call) for call in tripling.calls]
    assert sizes == [sum(t.numel for t in model.parameters())]  # one call, every element once
    if bucket_bytes == 64:  # 16 f32 per bucket: the 35-element weight goes alone, uncopied
        assert (7, 5) in tripling.calls[0] and len(tripling.calls[0]) > 2
    else:
        assert len(tripling.calls[0]) == 1  # all fused


def test_all_reduce_averages_by_default(dev: Device, tripling: Tripling) -> None:
    model, grads = trained_grads(dev)
    before = grad_arrays(model, grads)
    dist.all_reduce(grads, model)
    for name, value in grad_arrays(model, grads).items():
        np.testing.assert_array_equal(value, before[name])


def test_all_reduce_of_amp_gradients(tripling: Tripling) -> None:
    dev = dfdx.Cpu(seed=0)
    model, grads = trained_grads(dev, dfdx.AMP[dfdx.bf16])
    before = grad_arrays(model, grads)
    dist.all_reduce(grads, model, average=False)
    for name, value in grad_arrays(model, grads).items():
        np.testing.assert_allclose(value, 3 * before[name], rtol=1e-2)
        assert grads.get(dict(model.named_parameters())[name]).dtype is dfdx.AMP[dfdx.bf16]


def test_a_parameter_without_gradient_is_an_error_before_anything_is_sent(
    tripling: Tripling,
) -> None:
    dev = dfdx.Cpu(seed=0)
    model = dev.build_module(Model, dfdx.f32)
    grads = model.alloc_grads()
    with pytest.raises(UnusedParamsError, match=r"all_reduce: no gradient for 6 parameter"):
        dist.all_reduce(grads, model)
    assert tripling.calls == []


def test_broadcast_replaces_parameters_and_buffers_in_place(
    dev: Device, tripling: Tripling
) -> None:
    model = dev.build_module(Model, dfdx.f32)
    tensors = dict(model.named_tensors())
    before = {name: t.numpy() for name, t in tensors.items()}
    assert any("running" in name for name in tensors)  # BatchNorm's buffers go too
    dist.broadcast(model)
    for name, t in model.named_tensors():
        assert t is tensors[name]
        np.testing.assert_array_equal(t.numpy(), before[name] + 1)
    x = dev.sample_normal((3, 4))
    dist.broadcast(x)
    assert tripling.calls[-1] == [(3, 4)]


def test_broadcast_root_must_be_a_rank(tripling: Tripling) -> None:
    with pytest.raises(ValueError, match="root 1 is not a rank of a world of 1"):
        dist.broadcast(dfdx.Cpu().zeros((2,)), root=1)


def test_all_reduce_tensor(dev: Device, tripling: Tripling) -> None:
    t = dev.tensor([1.0, 2.0])
    assert dist.all_reduce_tensor(t, "sum").numpy().tolist() == [3.0, 6.0]
    assert dist.all_reduce_tensor(t).numpy().tolist() == [1.0, 2.0]
    assert dist.all_reduce_tensor(dev.arange(3), "sum").numpy().tolist() == [0, 3, 6]
    with pytest.raises(dfdx.DTypeError, match="cannot take the mean of i64"):
        dist.all_reduce_tensor(dev.arange(3))
    with pytest.raises(ValueError, match="op must be 'mean' or 'sum'"):
        dist.all_reduce_tensor(t, "max")  # type: ignore[arg-type]


def test_the_single_backend_keeps_everything(dev: Device, clean_env: pytest.MonkeyPatch) -> None:
    dist.init("single")
    model, grads = trained_grads(dev)
    weights = {n: t.numpy() for n, t in model.named_tensors()}
    before = grad_arrays(model, grads)
    dist.broadcast(model)
    dist.all_reduce(grads, model)
    for name, t in model.named_tensors():
        np.testing.assert_array_equal(t.numpy(), weights[name])
    for name, value in grad_arrays(model, grads).items():
        np.testing.assert_array_equal(value, before[name])


def test_collectives_need_init(clean_env: pytest.MonkeyPatch) -> None:
    dev = dfdx.Cpu(seed=0)
    model, grads = trained_grads(dev)
    for call in (lambda: dist.all_reduce(grads, model), lambda: dist.broadcast(model)):
        with pytest.raises(dist.DistributedError, match="not initialised"):
            call()


def test_buckets_group_by_dtype_and_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collectives, "BUCKET_BYTES", 32)
    dev = dfdx.Cpu()
    tensors = [
        dev.zeros((2,)),  # 8 bytes
        dev.zeros((2,), dtype=dfdx.f64),  # 16
        dev.zeros((4,)),  # 16
        dev.zeros((8,)),  # 32: alone
        dev.zeros((3,)),  # 12: 8 + 16 + 12 > 32, a new bucket
        dev.zeros((1,), dtype=dfdx.f64),
    ]
    # (a tensor alone is a bucket at once; the order only has to be the same on every rank)
    assert collectives._buckets(tensors) == [[3], [0, 2], [4], [1, 5]]
