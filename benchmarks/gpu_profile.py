"""Where a GPU training step's time goes: host or device.

``python3 benchmarks/gpu_profile.py`` (on the GPU machine; ``--emulator`` to check it here)
runs the transformer encoder block step of ``benchmarks/gpu.py`` and reports, for dfdx_py and
PyTorch: the time to *enqueue* one step (the host's work, no synchronisation) and the time of a
step including the device's work, plus dfdx_py's kernel launches and cuBLAS calls per step
and the same counts per op of the forward pass. A step whose enqueue time is close to its total
time is host-bound: fewer launches, not faster kernels, will speed it up.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from gpu import Bench, transformer_steps  # benchmarks/gpu.py, next to this script


def timed(fn: Callable[[], Any], sync: Callable[[], None], iters: int = 20) -> tuple[float, float]:
    """(enqueue time, total time) of one call, medians over ``iters`` calls."""
    for _ in range(3):
        fn()
    sync()
    enqueue, total = [], []
    for _ in range(iters):
        start = time.perf_counter()
        fn()
        mid = time.perf_counter()
        sync()
        end = time.perf_counter()
        enqueue.append(mid - start)
        total.append(end - start)
    return statistics.median(enqueue), statistics.median(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--emulator", action="store_true")
    parser.add_argument(
        "--cprofile", type=int, default=0, metavar="N",
        help="also profile 20 of dfdx_py's steps with cProfile and print the N functions "
        "that take the most host time",
    )  # fmt: skip
    parser.add_argument("--amp", action="store_true", help="the AMP[bf16] model")
    args = parser.parse_args()
    b = Bench(args.emulator)
    dev = b.dev
    batch, seq, d, heads = (2, 8, 32, 4) if args.emulator else (16, 256, 512, 8)
    ours, theirs = transformer_steps(b, batch, seq, d, heads, args.amp)
    sync_theirs = b.sync_theirs

    # launches per step, by kernel
    ctx = dev.ctx
    counts: collections.Counter[str] = collections.Counter()
    launch, gemm = ctx.launch, ctx.cublas.gemm

    def counting_launch(module: str, name: str, *a: Any, **k: Any) -> Any:
        counts[name] += 1
        return launch(module, name, *a, **k)

    def counting_gemm(*a: Any, **k: Any) -> Any:
        counts["cublas gemm"] += 1
        return gemm(*a, **k)

    ours()  # the first step also makes the AMP master weights
    ctx.launch = counting_launch
    ctx.cublas.gemm = counting_gemm
    ours()
    dev.synchronize()
    per_step = dict(counts)
    ctx.launch, ctx.cublas.gemm = launch, gemm

    e_ours, t_ours = timed(ours, dev.synchronize)
    e_theirs, t_theirs = timed(theirs, sync_theirs)
    kind = "AMP[bf16] vs torch.autocast(bf16)" if args.amp else "f32"
    print(f"transformer encoder block step, {kind}, d={d}, {heads} heads, seq {seq}, batch {batch}")
    print(f"dfdx_py: enqueue {e_ours * 1e3:.2f} ms, total {t_ours * 1e3:.2f} ms")
    print(f"PyTorch: enqueue {e_theirs * 1e3:.2f} ms, total {t_theirs * 1e3:.2f} ms")
    print(f"dfdx_py launches per step: {sum(per_step.values())}")
    for name, n in sorted(per_step.items(), key=lambda kv: -kv[1]):
        print(f"  {n:4d}  {name}")
    if args.cprofile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(20):
            ours()
        profile.disable()
        dev.synchronize()
        print("\nhost time of 20 dfdx_py steps by function (cProfile; tottime: in the function")
        print("itself, cumtime: with what it calls)")
        pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(args.cprofile)


if __name__ == "__main__":
    main()
