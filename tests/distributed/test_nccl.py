"""The nccl backend on the GPU. On a machine with one GPU: a world of one (NCCL accepts a
one-rank communicator) in this process and through ``launch --local``; with two GPUs, two
ranks train like one process with the doubled batch. Without a GPU these skip, saying why
(the Cuda emulator has no NCCL); the errors that need no GPU are checked everywhere."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import dfdx_py as dfdx
from dfdx_py import distributed as dist
from dfdx_py.distributed import DistributedError, collectives
from tests.distributed.launching import WORKER, run, run_python
from tests.distributed.test_collectives import grad_arrays, trained_grads


def gpu_count() -> int:
    from dfdx_py.devices.cuda import cuda_unavailable_reason
    from dfdx_py.devices.cuda.driver import driver

    return 0 if cuda_unavailable_reason() is not None else int(driver().Device.count())


def no_gpu_reason() -> str:
    from dfdx_py.devices.cuda import cuda_unavailable_reason

    return f"NCCL needs a real GPU, the Cuda emulator has none: {cuda_unavailable_reason()}"


GPUS = gpu_count()
needs_gpu = pytest.mark.skipif(GPUS == 0, reason=no_gpu_reason() if GPUS == 0 else "")
needs_two_gpus = pytest.mark.skipif(
    GPUS < 2, reason=f"needs 2 GPUs ({GPUS} here)" if GPUS else no_gpu_reason()
)


@pytest.mark.cuda
@needs_gpu
def test_a_world_of_one_gpu(clean_env: pytest.MonkeyPatch) -> None:
    """Every collective of the nccl backend on one rank: the mean and the sum over one rank
    are the values themselves (bit for bit), fused or not, in f32, f64, f16, bf16 and i64."""
    dev = dfdx.Cuda(0, seed=0)
    dist.init("nccl", device=dev, expected_world_size=1)
    assert dist.backend() == "nccl"
    model, grads = trained_grads(dev)
    before = grad_arrays(model, grads)
    weights = {n: t.numpy() for n, t in model.named_tensors()}
    dist.broadcast(model)
    dist.all_reduce(grads, model)
    clean_env.setattr(collectives, "BUCKET_BYTES", 64)  # several buckets, big tensors alone
    dist.all_reduce(grads, model, average=False)
    for name, t in model.named_tensors():
        np.testing.assert_array_equal(t.numpy(), weights[name], err_msg=name)
    for name, value in grad_arrays(model, grads).items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)
    for values in (
        np.array([1.5, -2.0, 3.25], np.float32),
        np.array([1.5, -2.0, 3.25], np.float64),
        np.array([1.5, -2.0, 3.25], np.float16),
        np.array([1.5, -2.0, 3.25], dfdx.bf16.numpy),
        np.array([1, -2, 3], np.int64),
    ):
        t = dev.tensor(values)
        assert t.device == dev
        for op in ("sum", "mean") if values.dtype.kind != "i" else ("sum",):
            out = dist.all_reduce_tensor(t, op)  # type: ignore[arg-type]
            assert out.dtype is t.dtype
            np.testing.assert_array_equal(out.numpy(), values)
    scalar = dist.all_reduce_tensor(dev.tensor(2.5))
    assert scalar.shape == () and scalar.item() == 2.5
    dist.barrier()
    dist.shutdown()
    assert not dist.is_initialized()


@pytest.mark.cuda
@needs_gpu
def test_one_rank_through_launch_local_trains_like_one_process(tmp_path: Path) -> None:
    """torchrun's variables, the TCP rendezvous and NCCL in a separate process."""
    argv = ["--out", str(tmp_path), "--device", "cuda", "--backend", "nccl"]
    launch = [sys.executable, "-m", "dfdx_py.distributed.launch", "--local", "-n", "1"]
    result = run([*launch, str(WORKER), *argv], timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rank 0 of 1 (nccl): done, ranks sum to 0.0" in result.stdout
    reference = run_python([str(WORKER), *argv, "--reference", "--world", "1"], timeout=300)
    assert reference.returncode == 0, reference.stdout + reference.stderr
    with np.load(tmp_path / "rank0.npz") as rank0, np.load(tmp_path / "reference.npz") as ref:
        for name in ref:
            np.testing.assert_allclose(rank0[name], ref[name], rtol=1e-6, atol=1e-12, err_msg=name)


@pytest.mark.cuda
@needs_two_gpus
def test_two_gpus_train_like_one_with_the_doubled_batch(tmp_path: Path) -> None:
    """Rank r on Cuda(r), NCCL between them: the same weights on both ranks after 5 steps of
    Sgd and of Adam, equal to one GPU with the doubled batch within 1e-6 (f64)."""
    argv = ["--out", str(tmp_path), "--device", "cuda", "--backend", "nccl"]
    launch = [sys.executable, "-m", "dfdx_py.distributed.launch", "--local", "-n", "2"]
    result = run([*launch, str(WORKER), *argv], timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rank 0 of 2 (nccl): done, ranks sum to 1.0" in result.stdout
    reference = run_python([str(WORKER), *argv, "--reference", "--world", "2"], timeout=300)
    assert reference.returncode == 0, reference.stdout + reference.stderr
    with (
        np.load(tmp_path / "rank0.npz") as rank0,
        np.load(tmp_path / "rank1.npz") as rank1,
        np.load(tmp_path / "reference.npz") as ref,
    ):
        for name in ref:
            assert np.array_equal(rank0[name], rank1[name]), name
            np.testing.assert_allclose(rank0[name], ref[name], rtol=1e-6, atol=1e-12, err_msg=name)


def test_nccl_reduces_cuda_tensors_only(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(DistributedError, match=r"the nccl backend reduces Cuda tensors, not Cpu"):
        dist.init("nccl", device=dfdx.Cpu())
    assert not dist.is_initialized()


def test_a_missing_nccl_library_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from dfdx_py.distributed.nccl import Nccl

    monkeypatch.setenv("DFDX_NCCL_LIBRARY", "/nonexistent/libnccl.so.2")
    with pytest.raises(DistributedError, match=r"could not load NCCL from /nonexistent/"):
        Nccl()
