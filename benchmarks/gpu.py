"""dfdx_py against PyTorch on an NVIDIA GPU, side by side in one run.

Run on the GPU machine: ``bash scripts/gpu_check.sh bench`` (or ``python3 benchmarks/gpu.py``).
Prints a markdown table: median time of each, the ratio dfdx_py / PyTorch (below 1 is
faster), and what each achieves against the hardware: bytes moved per second against the
copy bandwidth measured in the same run (memory-bound ops) or TFLOP/s (matmul). Times include
host overhead: every step is timed from the host with a device synchronisation at the end.

``--quick`` uses small sizes (a smoke run); ``--emulator`` runs on the CPU emulation of the
Cuda device against PyTorch on the CPU, to check this script without a GPU.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

import dfdx_py as dfdx
from dfdx_py import losses, nn, optim

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ["elementwise", "rows", "matmul", "mlp", "transformer", "memory"]
"""What ``--only`` can pick."""


class Bench:
    """Both libraries' devices and synchronisation."""

    def __init__(self, emulator: bool) -> None:
        if emulator:
            sys.path.insert(0, str(ROOT))
            from tests.cuda_emulator.context import EmulatedCuda

            self.dev: Any = EmulatedCuda(0, seed=0)
            self.tdev = "cpu"
        else:
            self.dev = dfdx.Cuda(0, seed=0)
            self.tdev = "cuda"
        self.rows: list[tuple[str, float, float, str]] = []

    def sync_ours(self) -> None:
        self.dev.synchronize()

    def sync_theirs(self) -> None:
        if self.tdev == "cuda":
            torch.cuda.synchronize()

    def time(self, fn: Callable[[], Any], sync: Callable[[], None], iters: int) -> float:
        """Median over 5 repeats of the mean time of ``iters`` calls (after a warm-up)."""
        for _ in range(2):
            fn()
        sync()
        times = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(iters):
                fn()
            sync()
            times.append((time.perf_counter() - start) / iters)
        return statistics.median(times)

    def pair(self, name: str, ours: Callable[[], Any], theirs: Callable[[], Any], iters: int,
             achieved: Callable[[float], str] = lambda t: "") -> tuple[float, float]:  # fmt: skip
        a, b = [], []
        for _ in range(3):  # alternating, so that a slow spell of the host hits both
            a.append(self.time(ours, self.sync_ours, iters))
            b.append(self.time(theirs, self.sync_theirs, iters))
        t_ours, t_theirs = min(a), min(b)
        row = (name, t_ours, t_theirs, achieved(t_ours))
        self.rows.append(row)
        print(_row(*row), flush=True)  # each row as soon as it is measured
        return t_ours, t_theirs

    def to_torch(self, t: Any) -> torch.Tensor:
        if t.dtype.numpy.itemsize == 2:  # numpy cannot hand bf16 to torch: through f32
            half = torch.bfloat16 if "bf16" in t.dtype.__name__ else torch.float16
            return torch.from_numpy(t.to_dtype(dfdx.f32).numpy()).to(self.tdev, half)
        return torch.from_numpy(t.numpy()).to(self.tdev)


def copy_bandwidth(b: Bench, n: int) -> float:
    """Bytes read + written per second by PyTorch's device copy of ``n`` f32."""
    src = torch.randn(n, device=b.tdev)
    dst = torch.empty_like(src)
    t = b.time(lambda: dst.copy_(src), b.sync_theirs, 10)
    return 2 * n * 4 / t


def elementwise(b: Bench, n: int, bandwidth: float) -> None:
    x = b.dev.sample_normal((n,))
    y = b.dev.sample_normal((n,))
    tx, ty = b.to_torch(x), b.to_torch(y)

    def gbs(nbytes: int) -> Callable[[float], str]:
        return lambda t: f"{nbytes / t / 1e12:.2f} TB/s = {nbytes / t / bandwidth:.0%} of copy"

    b.pair(f"add, {n:,} f32", lambda: x + y, lambda: tx + ty, 10, gbs(3 * n * 4))
    torch_gelu = torch.nn.functional.gelu
    b.pair(f"gelu (tanh) forward, {n:,} f32", lambda: x.gelu(),
           lambda: torch_gelu(tx, approximate="tanh"), 10, gbs(2 * n * 4))  # fmt: skip


def rows(b: Bench, shape: tuple[int, int], bandwidth: float) -> None:
    x = b.dev.sample_normal(shape)
    tx = b.to_torch(x)
    n = shape[0] * shape[1]

    def gbs(nbytes: int) -> Callable[[float], str]:
        return lambda t: f"{nbytes / t / 1e12:.2f} TB/s = {nbytes / t / bandwidth:.0%} of copy"

    b.pair(f"softmax over {shape}", lambda: x.softmax(-1), lambda: torch.softmax(tx, -1), 10,
           gbs(2 * n * 4))  # fmt: skip
    b.pair(f"sum over the last axis of {shape}", lambda: x.sum(-1), lambda: tx.sum(-1), 10,
           gbs(n * 4))  # fmt: skip


def matmul(b: Bench, n: int) -> None:
    x = b.dev.sample_normal((n, n))
    y = b.dev.sample_normal((n, n))
    tx, ty = b.to_torch(x), b.to_torch(y)

    def tflops(t: float) -> str:
        return f"{2 * n**3 / t / 1e12:.1f} TFLOP/s"

    b.pair(f"matmul {n}x{n} f32", lambda: x @ y, lambda: tx @ ty, 5, tflops)
    if b.tdev == "cuda":
        b.dev.allow_tf32 = True
        torch.backends.cuda.matmul.allow_tf32 = True
        b.pair(f"matmul {n}x{n} tf32", lambda: x @ y, lambda: tx @ ty, 5, tflops)
        b.dev.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False


def matmul_half(b: Bench, n: int) -> None:
    """bf16 and f16 matmuls (tensor cores, f32 accumulation) against the ~790 TFLOP/s that
    torch's bf16 matmul reached on the H200 when the issue was written."""
    for dtype, name in ((dfdx.bf16, "bf16"), (dfdx.f16, "f16")):
        x = b.dev.sample_normal((n, n), dtype=dtype)
        y = b.dev.sample_normal((n, n), dtype=dtype)
        tx, ty = b.to_torch(x), b.to_torch(y)

        def tflops(t: float) -> str:
            return f"{2 * n**3 / t / 1e12:.0f} TFLOP/s ({2 * n**3 / t / 790e12:.0%} of 790)"

        b.pair(
            f"matmul {n}x{n} {name}",
            lambda x=x, y=y: x @ y,
            lambda tx=tx, ty=ty: tx @ ty,
            20,
            tflops,
        )


Mlp = tuple[nn.Linear[784, 512], nn.ReLU, nn.Linear[512, 512], nn.ReLU, nn.Linear[512, 10]]


def mlp_step(b: Bench, batch: int) -> tuple[Callable[[], Any], Callable[[], Any], Any]:
    """One Adam training step of a 784-512-512-10 MLP on each side, same weights."""
    model = b.dev.build_module(Mlp, dfdx.f32)
    opt = optim.Adam(model, lr=1e-3)
    x = b.dev.sample_normal((batch, 784))
    labels = np.random.default_rng(0).integers(0, 10, batch)
    y = b.dev.tensor(np.eye(10, dtype=np.float32)[labels])
    grads = model.alloc_grads()

    def ours() -> Any:
        nonlocal grads
        logits = model.forward_mut(x.traced(grads))
        grads = losses.cross_entropy_with_logits_loss(logits, y).backward()
        opt.update(model, grads)
        model.zero_grads(grads)

    tm = torch.nn.Sequential(
        torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 10),
    ).to(b.tdev)  # fmt: skip
    with torch.no_grad():
        for (_, p), (_, t) in zip(model.named_parameters(), tm.named_parameters(), strict=True):
            t.copy_(b.to_torch(p))
    topt = torch.optim.Adam(tm.parameters(), lr=1e-3)
    tx, ty = b.to_torch(x), b.to_torch(y)

    def theirs() -> Any:
        topt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(tm(tx), ty)
        loss.backward()
        topt.step()

    return ours, theirs, model


def transformer_steps(
    b: Bench, batch: int, seq: int, d: int, heads: int, amp: bool = False
) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """One Adam step of a transformer encoder block (post-norm, ReLU feed-forward 4·d) in
    each library, as ``(ours, theirs)``. ``amp``: an ``AMP[bf16]`` block (f32 master
    weights) against ``torch.autocast(bf16)``."""
    dtype = dfdx.AMP[dfdx.bf16] if amp else dfdx.f32
    block = b.dev.build_module(nn.TransformerEncoderBlock[d, heads, 4 * d], dtype)
    opt = optim.Adam(block, lr=1e-4)
    x = b.dev.sample_normal((batch, seq, d), dtype=dtype)
    grads = block.alloc_grads()

    def ours() -> Any:
        nonlocal grads
        out = block.forward_mut(x.traced(grads))
        grads = out.square().mean().backward()
        opt.update(block, grads)
        block.zero_grads(grads)

    tb = torch.nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, batch_first=True).to(b.tdev)
    topt = torch.optim.Adam(tb.parameters(), lr=1e-4)
    tx = b.to_torch(x).float()

    def theirs() -> Any:
        topt.zero_grad(set_to_none=True)
        with torch.autocast(b.tdev, dtype=torch.bfloat16, enabled=amp):
            loss = tb(tx).float().square().mean()
        loss.backward()
        topt.step()

    return ours, theirs


def transformer_step(b: Bench, batch: int, seq: int, d: int, heads: int, amp: bool = False) -> None:
    """The transformer block's step in both libraries (``transformer_steps``), timed."""
    ours, theirs = transformer_steps(b, batch, seq, d, heads, amp)
    kind = "AMP[bf16] vs torch.autocast(bf16)" if amp else "f32"
    b.pair(f"transformer encoder block train step, {kind} (d={d}, {heads} heads, seq {seq}, "
           f"batch {batch})", ours, theirs, 5)  # fmt: skip


def memory_steady(b: Bench, steps: int) -> str:
    """Device memory held by tensors after 100 MLP steps and after ``steps`` steps."""
    ours, _, _ = mlp_step(b, 256)
    for _ in range(100):
        ours()
    b.sync_ours()
    after_100 = b.dev.memory_in_use()
    for _ in range(steps - 100):
        ours()
    b.sync_ours()
    after = b.dev.memory_in_use()
    verdict = "equal" if after == after_100 else f"DIFFERENT ({after - after_100:+,} bytes)"
    return (f"device memory in use after 100 MLP steps: {after_100:,} bytes; after {steps:,}: "
            f"{after:,} bytes ({verdict})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--emulator", action="store_true", help="CPU emulation, no GPU")
    parser.add_argument(
        "--only", metavar="WORD", help=f"run only these benchmarks: one of {', '.join(SECTIONS)}"
    )
    args = parser.parse_args()
    quick = args.quick or args.emulator
    b = Bench(args.emulator)

    bandwidth = copy_bandwidth(b, 1 << (16 if quick else 28))
    name = getattr(b.dev, "name", "?")
    print(f"Device: {name}; copy bandwidth measured in this run (PyTorch device copy): "
          f"{bandwidth / 1e12:.2f} TB/s\n")  # fmt: skip
    print("| benchmark | dfdx_py | PyTorch | ratio | dfdx_py achieves |")
    print("|---|---:|---:|---:|---|", flush=True)
    n = 64 if quick else 8192
    sections: dict[str, Callable[[], Any]] = {
        "elementwise": lambda: elementwise(b, 1 << (12 if quick else 28), bandwidth),
        "rows": lambda: rows(b, (64, 128) if quick else (16384, 4096), bandwidth),
        "matmul": lambda: matmuls(b, n),
        "mlp": lambda: mlp(b, quick),
        "transformer": lambda: transformers(b, quick),
        "memory": lambda: print(f"\n{memory_steady(b, 200 if quick else 10_000)}"),
    }
    assert list(sections) == SECTIONS
    for name, run in sections.items():
        if args.only in (None, name):
            run()


def matmuls(b: Bench, n: int) -> None:
    matmul(b, n)
    matmul_half(b, n)


def transformers(b: Bench, quick: bool) -> None:
    for amp in (False, True):
        transformer_step(b, *((2, 8, 32, 4) if quick else (16, 256, 512, 8)), amp)


def mlp(b: Bench, quick: bool) -> None:
    ours, theirs, _ = mlp_step(b, 256)
    b.pair("MLP 784-512-512-10 train step (Adam), batch 256", ours, theirs, 5 if quick else 50)


def _row(label: str, t_ours: float, t_theirs: float, achieved: str) -> str:
    ratio = t_ours / t_theirs
    return f"| {label} | {_fmt(t_ours)} | {_fmt(t_theirs)} | {ratio:.2f}x | {achieved} |"


def _fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    return f"{seconds * 1e3:.2f} ms"


if __name__ == "__main__":
    main()
