"""dfdx_py against PyTorch on the CPU, measured side by side in one run.

Run: ``python benchmarks/cpu_ops.py``. Prints a markdown table of median times and the ratio
dfdx_py / PyTorch (below 1 means dfdx_py is faster). On a shared machine only the ratios mean
anything; absolute times drift with load.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from machine import describe  # benchmarks/machine.py, next to this script

import dfdx_py as dfdx


def measure(fn: Callable[[], Any], *, inner: int, repeats: int) -> float:
    """Median over ``repeats`` of the mean time of ``inner`` calls, in seconds."""
    fn()  # warm up (imports kernels, allocates)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - start) / inner)
    return statistics.median(times)


def pair(
    name: str, ours: Callable[[], Any], theirs: Callable[[], Any], inner: int, repeats: int
) -> tuple[str, float, float]:
    # Interleave the two so that load changes hit both alike.
    a, b = [], []
    for _ in range(3):
        a.append(measure(ours, inner=inner, repeats=repeats))
        b.append(measure(theirs, inner=inner, repeats=repeats))
    return name, min(a), min(b)


def small_op_overhead(dev: dfdx.Cpu, traced: bool) -> tuple[Callable[[], Any], Callable[[], Any]]:
    a = dev.sample_normal((8,))
    b = dev.sample_normal((8,))
    ta, tb = torch.randn(8), torch.randn(8)
    if not traced:
        return (lambda: a + b), (lambda: ta + tb)
    grads = dfdx.Gradients()
    at = a.trace(grads)
    tape = at._tape
    assert tape is not None
    ta.requires_grad_(True)
    count = [0]

    def ours() -> Any:
        count[0] += 1
        if count[0] % 1000 == 0:  # keep the tape from growing without bound
            tape.entries.clear()
        return at + b

    return ours, (lambda: ta + tb)


def mlp(dev: dfdx.Cpu) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """Forward + backward of a 784-512-512-10 MLP written with ops, batch 256."""
    sizes = [(784, 512), (512, 512), (512, 10)]
    rng = np.random.default_rng(0)
    ws = [(rng.uniform(-1, 1, s) / np.sqrt(s[0])).astype(np.float32) for s in sizes]
    bs = [np.zeros(s[1], np.float32) for s in sizes]
    x_np = rng.standard_normal((256, 784)).astype(np.float32)
    y_np = rng.standard_normal((256, 10)).astype(np.float32)

    w_d = [dev.tensor(w) for w in ws]
    b_d = [dev.tensor(b) for b in bs]
    x_d, y_d = dev.tensor(x_np), dev.tensor(y_np)

    def ours() -> Any:
        grads = dfdx.Gradients()
        h = x_d
        for i, (w, b) in enumerate(zip(w_d, b_d, strict=True)):
            h = h @ w.trace(grads) + b.trace(grads).broadcast_to((256, b.shape[0]))
            if i < 2:
                h = h.relu()
        loss = (h - y_d).square().mean()
        return loss.backward()

    w_t = [torch.from_numpy(w).requires_grad_(True) for w in ws]
    b_t = [torch.from_numpy(b).requires_grad_(True) for b in bs]
    x_t, y_t = torch.from_numpy(x_np), torch.from_numpy(y_np)

    def theirs() -> Any:
        for p in (*w_t, *b_t):
            p.grad = None
        h = x_t
        for i, (w, b) in enumerate(zip(w_t, b_t, strict=True)):
            h = h @ w + b
            if i < 2:
                h = h.relu()
        loss = (h - y_t).square().mean()
        loss.backward()
        return loss

    return ours, theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    args = parser.parse_args()
    r = 3 if args.quick else 7
    dev = dfdx.Cpu(seed=0)

    rows = []
    ours, theirs = small_op_overhead(dev, traced=False)
    rows.append(pair("add, 8 elements (per-op host overhead)", ours, theirs, 2000, r))
    ours, theirs = small_op_overhead(dev, traced=True)
    rows.append(pair("add, 8 elements, traced", ours, theirs, 2000, r))

    big_a, big_b = dev.sample_normal((16 * 1024 * 1024,)), dev.sample_normal((16 * 1024 * 1024,))
    tba, tbb = torch.from_numpy(big_a.numpy()), torch.from_numpy(big_b.numpy())
    rows.append(pair("add, 16M elements", lambda: big_a + big_b, lambda: tba + tbb, 3, r))

    m = dev.sample_normal((1024, 1024))
    tm = torch.from_numpy(m.numpy())
    rows.append(pair("matmul 1024x1024", lambda: m @ m, lambda: tm @ tm, 3, r))

    s = dev.sample_normal((4096, 1024))
    ts = torch.from_numpy(s.numpy())
    rows.append(
        pair(
            "softmax over (4096, 1024)", lambda: s.softmax(-1), lambda: torch.softmax(ts, -1), 5, r
        )
    )
    rows.append(
        pair("sum over the last axis of (4096, 1024)", lambda: s.sum(-1), lambda: ts.sum(-1), 10, r)
    )
    rows.append(
        pair("sum over the first axis of (4096, 1024)", lambda: s.sum(0), lambda: ts.sum(0), 10, r)
    )

    ours, theirs = mlp(dev)
    rows.append(pair("MLP 784-512-512-10 fwd+bwd, batch 256", ours, theirs, 3, r))

    print(f"Machine: {describe()}\n")
    print("| benchmark | dfdx_py | PyTorch | ratio |")
    print("|---|---:|---:|---:|")
    for name, a, b in rows:
        print(f"| {name} | {_fmt(a)} | {_fmt(b)} | {a / b:.2f}x |")


def _fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    return f"{seconds * 1e3:.2f} ms"


if __name__ == "__main__":
    main()
