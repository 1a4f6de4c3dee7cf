"""Data-parallel benchmarks: all-reduce bandwidth, and how a training step scales from 1 to N
processes.

Run: ``python benchmarks/distributed.py --device cuda`` on a machine with 2 GPUs (NCCL, one
process per GPU, started with ``launch --local``), or ``python benchmarks/distributed.py`` on
the CPU (MPI through ``mpiexec``: there, with ranks sharing the cores, a smoke run and a
ratio rather than a measure of a cluster). The script starts the ranks itself and prints
markdown tables:

- all-reduce of f32 buffers of 1 MB .. 1 GB (``--max-mb``) with ``all_reduce_tensor``
  (sum): median time, algorithm bandwidth (size / time) and bus bandwidth
  (``2 (n - 1) / n * size / time``, NCCL's measure: what each link carries in a ring);
- one training step (forward, backward, all-reduce of the gradients, Adam) of the MLP
  784-512-512-10 and of a transformer encoder block, with the same batch per process on 1 and
  on N processes (weak scaling, as DDP is used): step time, samples per second and the
  scaling efficiency ``t(1) / t(N)`` (1.0 is perfect: the all-reduce costs nothing).

With fewer GPUs than ``--nproc`` only the 1-process rows are measured (NCCL on one rank).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from machine import describe  # benchmarks/machine.py, next to this script

import dfdx_py as dfdx
from dfdx_py import distributed as dist
from dfdx_py import losses, nn, optim
from dfdx_py.distributed.launch import mpiexec_command

ROOT = Path(__file__).resolve().parents[1]

Mlp = tuple[nn.Linear[784, 512], nn.ReLU, nn.Linear[512, 512], nn.ReLU, nn.Linear[512, 10]]
MB = 2**20


# -- the workers (one per rank) ------------------------------------------------------------


def worker_device(kind: str) -> Any:
    return dfdx.Cpu(seed=0) if kind == "cpu" else dfdx.Cuda(dist.local_rank(), seed=0)


def timed(dev: Any, fn: Callable[[], Any], budget: float = 0.5) -> float:
    """Median seconds of ``fn`` (the device synchronised), over repeats filling about
    ``budget`` seconds, averaged over the ranks (which all run rank 0's number of repeats)."""
    sync = dev.synchronize if dev.kind == "cuda" else lambda: None
    fn()
    sync()
    start = time.perf_counter()
    fn()
    sync()
    once = time.perf_counter() - start
    count = dev.tensor([int(min(max(budget / max(once, 1e-9), 3), 50))])
    dist.broadcast(count)  # every rank the same number of collectives
    reps = int(count.numpy()[0])
    times = []
    for _ in range(reps):
        dist.barrier()
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    median = dev.tensor([statistics.median(times)], dtype=dfdx.f64)
    return float(dist.all_reduce_tensor(median).numpy()[0])


def bench_all_reduce(args: argparse.Namespace, dev: Any) -> list[dict[str, Any]]:
    rows = []
    size = 1 * MB
    while size <= args.max_mb * MB:
        t = dev.zeros((size // 4,))
        seconds = timed(dev, lambda t=t: dist.all_reduce_tensor(t, "sum"))
        rows.append({"bytes": size, "seconds": seconds})
        del t
        size *= 4
    return rows


def bench_step(args: argparse.Namespace, dev: Any, model_name: str) -> dict[str, Any]:
    cuda = dev.kind == "cuda"
    if model_name == "mlp":
        batch = 256
        model: Any = dev.build_module(Mlp, dfdx.f32)
        x = dev.sample_normal((batch, 784))
        y = dev.tensor(np.eye(10, dtype=np.float32)[np.arange(batch) % 10])

        def loss_of(out: Any) -> Any:
            return losses.cross_entropy_with_logits_loss(out, y)

        label = "MLP 784-512-512-10, batch 256 per process"
    else:
        d, heads, seq, batch = (512, 8, 256, 16) if cuda else (128, 4, 64, 16)
        model = dev.build_module(nn.TransformerEncoderBlock[d, heads, 4 * d], dfdx.f32)
        x = dev.sample_normal((batch, seq, d))

        def loss_of(out: Any) -> Any:
            return out.square().mean()

        label = f"transformer encoder block (d {d}, {heads} heads, seq {seq}), batch {batch}"
        label += " per process"
    dist.broadcast(model)
    opt = optim.Adam(model, lr=1e-4)

    def step() -> None:
        grads = model.alloc_grads()
        grads = loss_of(model.forward_mut(x.traced(grads))).backward()
        dist.all_reduce(grads, model)
        opt.update(model, grads)

    return {"label": label, "batch": batch, "seconds": timed(dev, step)}


def worker(args: argparse.Namespace) -> None:
    dev = worker_device(args.device)
    dist.init(device=dev if args.device == "cuda" else None)
    result: dict[str, Any] = {"world": dist.world_size(), "backend": dist.backend()}
    if args.worker == "allreduce":
        result["rows"] = bench_all_reduce(args, dev)
    else:
        result["step"] = bench_step(args, dev, args.model)
    if dist.rank() == 0:
        with open(args.result, "a") as f:
            f.write(json.dumps(result) + "\n")
    dist.shutdown()


# -- the driver ----------------------------------------------------------------------------


def launch(
    args: argparse.Namespace, n: int, worker_args: list[str], result: Path
) -> dict[str, Any]:
    argv = [str(Path(__file__).resolve()), "--device", args.device, "--max-mb", str(args.max_mb)]
    argv += [*worker_args, "--result", str(result)]
    env = dict(os.environ)
    if args.device == "cuda":
        command = [sys.executable, "-m", "dfdx_py.distributed.launch", "--local", "-n", str(n)]
        command += argv
    else:  # one BLAS thread per process, on 1 process too: the same work per core
        command = mpiexec_command(n, argv)
        env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    before = result.read_text().count("\n") if result.exists() else 0
    subprocess.run(command, check=True, cwd=ROOT, env=env)
    lines = result.read_text().splitlines()
    assert len(lines) == before + 1, "the worker wrote no result"
    out: dict[str, Any] = json.loads(lines[-1])
    return out


def gpu_count() -> int:
    from dfdx_py.devices.cuda.driver import driver

    return int(driver().Device.count())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--nproc", type=int, default=2, help="processes (GPUs) to scale to")
    parser.add_argument("--max-mb", type=int, help="largest all-reduce (default 1024 on cuda)")
    parser.add_argument("--worker", choices=["allreduce", "step"], help=argparse.SUPPRESS)
    parser.add_argument("--model", choices=["mlp", "transformer"], help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.max_mb is None:
        args.max_mb = 1024 if args.device == "cuda" else 64
    if args.worker:
        worker(args)
        return

    n = args.nproc
    if args.device == "cuda" and gpu_count() < n:
        print(f"only {gpu_count()} GPU(s): measuring 1 process only (needs {n} GPUs to scale)\n")
        n = 1
    with tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "results.jsonl"
        reduce = launch(args, n, ["--worker", "allreduce"], result)
        steps = {
            (model, world): launch(args, world, ["--worker", "step", "--model", model], result)
            for model in ("mlp", "transformer")
            for world in sorted({1, n})
        }
    world, backend = reduce["world"], reduce["backend"]
    where = dfdx.Cuda(0).name if args.device == "cuda" else describe()
    print(f"{where}; dfdx_py {dfdx.__version__}\n")
    print(f"All-reduce (sum) of f32 buffers over {world} process(es), {backend}:\n")
    print("| size | time | algorithm bandwidth | bus bandwidth |")
    print("|---:|---:|---:|---:|")
    for row in reduce["rows"]:
        size, t = row["bytes"], row["seconds"]
        bus = 2 * (world - 1) / world * size / t
        print(f"| {_size(size)} | {_time(t)} | {size / t / 1e9:.2f} GB/s | {bus / 1e9:.2f} GB/s |")
    print(f"\nTraining step (forward, backward, all-reduce, Adam), 1 -> {n} processes:\n")
    print("| model | processes | step time | samples/s | scaling efficiency t(1)/t(N) |")
    print("|---|---:|---:|---:|---:|")
    for model in ("mlp", "transformer"):
        one = steps[(model, 1)]["step"]["seconds"]
        for w in sorted({1, n}):
            step = steps[(model, w)]["step"]
            rate = w * step["batch"] / step["seconds"]
            efficiency = f"{one / step['seconds']:.2f}" if w > 1 else "1 (baseline)"
            print(
                f"| {step['label']} | {w} | {_time(step['seconds'])} | {rate:,.0f} | {efficiency} |"
            )


def _size(nbytes: int) -> str:
    return f"{nbytes // 2**30} GB" if nbytes >= 2**30 else f"{nbytes // MB} MB"


def _time(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


if __name__ == "__main__":
    main()
