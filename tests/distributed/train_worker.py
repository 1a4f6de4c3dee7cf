"""Trains a small f64 MLP for a few steps, data-parallel or as the one-process reference, and
saves the final weights: what tests/distributed launches with ``mpiexec -n 2`` (or ``launch
--local``) and compares.

    mpiexec -n 2 python tests/distributed/train_worker.py --out DIR      # DIR/rank{0,1}.npz
    python tests/distributed/train_worker.py --out DIR --reference       # DIR/reference.npz

Each rank builds its model from its own seed (so ``broadcast`` must make them equal), reads
its shard of every global batch with per-rank batch ``--batch`` and all-reduces the
gradients; the reference reads the whole of every batch (``world_size * --batch``) in one
process. Both models (Sgd with momentum, then Adam) end with the same weights.
``--fail MODE`` makes rank 1 fail at step 2: ``raise``, ``exit`` (sys.exit(3)) or ``kill``
(os._exit(3)).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

import dfdx_py as dfdx
from dfdx_py import data, losses, nn, optim
from dfdx_py import distributed as dist

Mlp = tuple[nn.Linear[6, 16], nn.Tanh, nn.Linear[16, 3]]
ITEMS = 48


def make_device(kind: str, ordinal: int, seed: int) -> Any:
    return dfdx.Cpu(seed=seed) if kind == "cpu" else dfdx.Cuda(ordinal, seed=seed)


def dataset() -> data.ArrayDataset:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(ITEMS, 6))
    y = np.tanh(x[:, :3] * 2.0 - x[:, 3:])
    return data.ArrayDataset(x, y)


def train(args: argparse.Namespace, make_opt: Any, world: int, r: int, dev: Any) -> Any:
    model = make_device(args.device, getattr(dev, "ordinal", 0), 10 + r).build_module(Mlp, dfdx.f64)
    model = model.to(dev)
    if not args.reference:
        dist.broadcast(model)
    opt = make_opt(model)
    loader = data.Loader(dataset()).shuffled(0)
    if args.reference:
        batch = args.batch * world
    else:
        loader, batch = dist.shard(loader), args.batch
    batches = loader.batch(batch).collate().stack(device=dev)
    for step, (x, y) in enumerate(batches):
        if step == args.steps:
            break
        if args.fail and r == 1 and step == 2:
            if args.fail == "raise":
                raise RuntimeError("rank 1 fails on purpose")
            if args.fail == "exit":
                sys.exit(3)
            os._exit(3)
        grads = model.alloc_grads()
        loss = losses.mse_loss(model.forward_mut(x.traced(grads)), y)
        grads = loss.backward()
        if not args.reference:
            dist.all_reduce(grads, model)
        opt.update(model, grads)
    return model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--reference", action="store_true")
    parser.add_argument("--world", type=int, default=2, help="the reference's world size")
    parser.add_argument("--backend")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--fail", choices=["raise", "exit", "kill"])
    args = parser.parse_args()

    if args.reference:
        world, r, dev = args.world, 0, make_device(args.device, 0, 0)
    else:
        dev = make_device(args.device, dist.local_rank(), 0)
        dist.init(args.backend, device=None if args.device == "cpu" else dev)
        world, r = dist.world_size(), dist.rank()
    weights: dict[str, np.ndarray] = {}
    optimizers = {
        "sgd": lambda m: optim.Sgd(m, lr=0.05, momentum=0.9),
        "adam": lambda m: optim.Adam(m, lr=0.01),
    }
    for name, make_opt in optimizers.items():
        model = train(args, make_opt, world, r, dev)
        weights.update({f"{name}.{k}": t.numpy() for k, t in model.named_tensors()})
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez(args.out / ("reference.npz" if args.reference else f"rank{r}.npz"), **weights)
    if not args.reference:
        ranks = dist.all_reduce_tensor(dev.tensor(float(r), dtype=dfdx.f64), "sum")
        assert ranks.shape == () and ranks.dtype is dfdx.f64
        print(f"rank {r} of {world} ({dist.backend()}): done, ranks sum to {ranks.item()}")
        dist.shutdown()


if __name__ == "__main__":
    main()
