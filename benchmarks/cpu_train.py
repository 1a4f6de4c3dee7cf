"""One training step (forward, backward, Adam update) of dfdx_py against PyTorch on the CPU.

Run: ``python benchmarks/cpu_train.py``. Three models, built the same way in both libraries
with the same weights (the first losses are checked equal before timing):

- MLP 784-512-512-10, batch 256, cross-entropy;
- a small conv net on 28x28 images, batch 64: Conv2D[1, 16, 3], ReLU, MaxPool2D[2, 2],
  Conv2D[16, 32, 3], ReLU, MaxPool2D[2, 2], Flatten2D, Linear[800, 10] (dfdx's convolutions
  have no bias: PyTorch's get ``bias=False``), cross-entropy;
- a transformer encoder block (model dim 128, 4 heads, feed-forward 512, post-norm, no
  dropout) on (16, 64, 128), mean squared error.

Steps alternate between the two libraries (one of ours, one of theirs) so that load changes
hit both alike; the table shows the best of 5 rounds' median step times and the ratio
dfdx_py / PyTorch (below 1 means dfdx_py is faster). On a shared machine only the ratios
mean anything.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from machine import describe  # benchmarks/machine.py, next to this script

import dfdx_py as dfdx
from dfdx_py import f32, losses, nn, optim

Step = Callable[[], float]  # one training step; returns the loss

Mlp = tuple[nn.Linear[784, 512], nn.ReLU, nn.Linear[512, 512], nn.ReLU, nn.Linear[512, 10]]
ConvNet = tuple[
    nn.Conv2D[1, 16, 3],
    nn.ReLU,
    nn.MaxPool2D[2, 2],
    nn.Conv2D[16, 32, 3],
    nn.ReLU,
    nn.MaxPool2D[2, 2],
    nn.Flatten2D,
    nn.Linear[800, 10],
]
Encoder = nn.TransformerEncoderBlock[128, 4, 512]


def dfdx_step(model: Any, x: Any, target: Any, loss_fn: Any) -> Step:
    """dfdx's training step: forward_mut on a traced input, backward, Adam, zero_grads."""
    opt = optim.Adam(model, lr=1e-3)
    state = {"grads": model.alloc_grads()}

    def step() -> float:
        loss = loss_fn(model.forward_mut(x.traced(state["grads"])), target)
        grads = loss.backward()
        opt.update(model, grads)
        model.zero_grads(grads)
        state["grads"] = grads
        return float(loss.item())

    return step


def torch_step(model: torch.nn.Module, x: torch.Tensor, loss_fn: Callable[..., Any]) -> Step:
    """PyTorch's training step: zero_grad, forward, backward, Adam."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step() -> float:
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x))
        loss.backward()
        opt.step()
        return float(loss.item())

    return step


def copy_weights(model: Any, torch_model: torch.nn.Module) -> None:
    """Our parameters into the PyTorch model; names match except for attention, where PyTorch
    packs ``w_q``, ``w_k``, ``w_v`` into ``in_proj`` and calls ``w_o`` ``out_proj``."""
    state: dict[str, Any] = {}
    packed: dict[str, dict[str, np.ndarray[Any, Any]]] = {}
    for name, p in model.named_parameters():
        name = name.replace("ff.0.", "linear1.").replace("ff.2.", "linear2.")
        m = re.fullmatch(r"(.*attn)\.w_([qkv])\.(weight|bias)", name)
        if m:
            packed.setdefault(f"{m[1]}.in_proj_{m[3]}", {})[m[2]] = p.numpy()
        else:
            state[name.replace(".w_o.", ".out_proj.")] = p.numpy()
    for name, parts in packed.items():
        state[name] = np.concatenate([parts["q"], parts["k"], parts["v"]])
    torch_model.load_state_dict({k: torch.tensor(v) for k, v in state.items()}, strict=True)


def classifier_case(
    dev: dfdx.Cpu, arch: Any, torch_model: torch.nn.Module, x: np.ndarray[Any, Any]
) -> tuple[Step, Step]:
    """Our step and PyTorch's for a 10-class classifier on ``x``, with random labels."""
    labels = np.random.default_rng(1).integers(0, 10, len(x))
    model = dev.build_module(arch, f32)
    copy_weights(model, torch_model)
    target = dfdx.data.one_hot_encode(labels, 10, dev)
    ours = dfdx_step(model, dev.tensor(x), target, losses.cross_entropy_with_logits_loss)
    t_labels = torch.from_numpy(labels)
    theirs = torch_step(torch_model, torch.from_numpy(x), lambda y: F.cross_entropy(y, t_labels))
    return ours, theirs


def mlp(dev: dfdx.Cpu) -> tuple[Step, Step]:
    x = np.random.default_rng(0).standard_normal((256, 784)).astype(np.float32)
    tm = torch.nn.Sequential(
        torch.nn.Linear(784, 512),
        torch.nn.ReLU(),
        torch.nn.Linear(512, 512),
        torch.nn.ReLU(),
        torch.nn.Linear(512, 10),
    )
    return classifier_case(dev, Mlp, tm, x)


def conv_net(dev: dfdx.Cpu) -> tuple[Step, Step]:
    x = np.random.default_rng(0).standard_normal((64, 1, 28, 28)).astype(np.float32)
    tm = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, bias=False),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2, 2),
        torch.nn.Conv2d(16, 32, 3, bias=False),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2, 2),
        torch.nn.Flatten(),
        torch.nn.Linear(800, 10),
    )
    return classifier_case(dev, ConvNet, tm, x)


def encoder(dev: dfdx.Cpu) -> tuple[Step, Step]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 64, 128)).astype(np.float32)
    y = rng.standard_normal((16, 64, 128)).astype(np.float32)
    model = dev.build_module(Encoder, f32)
    tm = torch.nn.TransformerEncoderLayer(
        128, 4, dim_feedforward=512, dropout=0.0, batch_first=True
    )
    copy_weights(model, tm)
    ours = dfdx_step(model, dev.tensor(x), dev.tensor(y), losses.mse_loss)
    t_y = torch.from_numpy(y)
    theirs = torch_step(tm, torch.from_numpy(x), lambda out: F.mse_loss(out, t_y))
    return ours, theirs


CASES = {
    "MLP 784-512-512-10, batch 256": mlp,
    "conv net (2 conv, 2 max-pool, linear), 28x28, batch 64": conv_net,
    "transformer encoder block (d 128, 4 heads, ff 512), seq 64, batch 16": encoder,
}


def interleaved(ours: Step, theirs: Step, steps: int, rounds: int) -> tuple[float, float]:
    """Seconds per step of each: ``rounds`` rounds of ``steps`` steps, alternating one step
    of ours with one of theirs; the median step of each round, the best round (load on a
    shared machine only ever adds time)."""
    first = ours(), theirs()
    if not np.isclose(first[0], first[1], rtol=1e-3):
        raise AssertionError(f"the two models differ: first losses {first[0]} vs {first[1]}")
    for _ in range(3):  # warm up
        ours()
        theirs()
    best_a, best_b = float("inf"), float("inf")
    for _ in range(rounds):
        a, b = [], []
        for _ in range(steps):
            start = time.perf_counter()
            ours()
            a.append(time.perf_counter() - start)
            start = time.perf_counter()
            theirs()
            b.append(time.perf_counter() - start)
        best_a = min(best_a, statistics.median(a))
        best_b = min(best_b, statistics.median(b))
    return best_a, best_b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10, help="timed steps per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per model")
    parser.add_argument("--quick", action="store_true", help="one round of 3 steps (a smoke run)")
    args = parser.parse_args()
    steps, rounds = (3, 1) if args.quick else (args.steps, args.rounds)
    dev = dfdx.Cpu(seed=0)

    rows = []
    for name, make in CASES.items():
        ours, theirs = make(dev)
        a, b = interleaved(ours, theirs, steps=steps, rounds=rounds)
        rows.append((name, a, b))

    print(f"Machine: {describe()}\n")
    print("| training step (forward, backward, Adam) | dfdx_py | PyTorch | ratio | target |")
    print("|---|---:|---:|---:|---:|")
    for name, a, b in rows:
        print(f"| {name} | {a * 1e3:.2f} ms | {b * 1e3:.2f} ms | {a / b:.2f}x | ≤ 1.5x |")


if __name__ == "__main__":
    main()
