"""Handwritten digits with an MLP: dfdx's MNIST example, in Python.

By default it trains on the 1,797 8x8 digits that ship inside scikit-learn (no download),
upscaled to 28x28 (bilinear, with ``dfdx.upscale2d``) so that the same 784-128-10 MLP serves
them and real MNIST; 80% train, a held-out 20% to test. ``--data DIR`` trains on MNIST's IDX
files instead (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each optionally ``.gz``).

    python examples/mnist.py                       # ~97% test accuracy in seconds
    python examples/mnist.py --data ~/mnist --epochs 5
    python examples/mnist.py --amp bf16            # AMP[bf16]: half storage, f32 master weights
    mpiexec -n 2 python examples/mnist.py --distributed   # data-parallel on 2 processes

``--distributed`` trains on every process the launcher started (``mpiexec -n N``; as root add
``--allow-run-as-root``, or use ``python -m dfdx_py.distributed.launch -n N``): each rank
reads its shard of every batch (``--batch-size`` is per rank: the global batch is N times
it), the gradients are averaged over the ranks (MPI on the Cpu, NCCL with ``--device cuda``,
one GPU per rank), and N ranks end where one process with an N times larger batch does.
Rank 0 prints and saves.

Writes the model (``mlp.npz``) and a plot of loss and accuracy per epoch (``history.png``)
to ``--out`` (default ``out/mnist``).
"""

from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path
from typing import Any, TypeVar

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits  # type: ignore[import-untyped]
from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
from tqdm import tqdm  # type: ignore[import-untyped]

import dfdx_py as dfdx
from dfdx_py import (
    AMP,
    Cpu,
    Device,
    DType,
    Dyn,
    Rank2,
    Tensor,
    bf16,
    data,
    distributed,
    f16,
    f32,
    i64,
    losses,
    nn,
    optim,
)

matplotlib.use("Agg")  # write PNGs; no display needed

B = TypeVar("B", bound=int)
D = TypeVar("D", bound=Device)
E = TypeVar("E", bound=DType)
Split = tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]  # images (n, 784) f32, labels (n,)

IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class Mlp(nn.Module):
    """784 -> 128 -> 10 with a ReLU: the model of dfdx's MNIST example."""

    l1: nn.Linear[784, 128]
    l2: nn.Linear[128, 10]

    def forward(self, x: Tensor[Rank2[B, 784], E, D]) -> Tensor[Rank2[B, 10], E, D]:
        hidden: Tensor[Rank2[B, 128], E, D] = self.l1(x)
        logits: Tensor[Rank2[B, 10], E, D] = self.l2(hidden.relu())
        return logits


def read_idx(path: Path) -> np.ndarray[Any, Any]:
    """The array in an IDX file (MNIST's format; gzip-compressed when it ends in ``.gz``):
    two zero bytes, a type code, the number of dims, the dims as big-endian int32, the data."""
    with (gzip.open if path.suffix == ".gz" else open)(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] not in IDX_DTYPES:
        raise ValueError(f"{path}: not an IDX file (magic bytes {raw[:4].hex()})")
    ndim = raw[3]
    dims = tuple(int(d) for d in np.frombuffer(raw, ">i4", count=ndim, offset=4))
    items = np.frombuffer(raw, IDX_DTYPES[raw[2]], offset=4 + 4 * ndim)
    if items.size != int(np.prod(dims)):
        raise ValueError(f"{path}: dims {dims} need {np.prod(dims)} items, found {items.size}")
    return items.reshape(dims)


def load_mnist(folder: Path) -> tuple[Split, Split]:
    """MNIST's train and test splits from the four IDX files in ``folder``."""

    def find(stem: str) -> Path:
        for name in (stem, stem + ".gz", stem.replace("-idx", ".idx")):
            if (folder / name).exists():
                return folder / name
        raise SystemExit(f"--data {folder}: no {stem} (or {stem}.gz) there")

    def split(prefix: str) -> Split:
        images = read_idx(find(f"{prefix}-images-idx3-ubyte"))
        labels = read_idx(find(f"{prefix}-labels-idx1-ubyte")).astype(np.int64)
        return (images.reshape(len(images), 784) / np.float32(255)).astype(np.float32), labels

    return split("train"), split("t10k")


def load_sklearn_digits(dev: Device, seed: int) -> tuple[Split, Split]:
    """scikit-learn's 8x8 digits, upscaled to 28x28, split 80/20 (stratified)."""
    digits = load_digits()
    n = len(digits.target)
    small = dev.tensor((digits.images / 16.0).astype(np.float32), shape=(n, 8, 8))
    big = dfdx.upscale2d(small.reshape((n, 1, 8, 8)), (28, 28), mode="bilinear")
    images = big.reshape((n, 784)).numpy()
    x_tr, x_te, y_tr, y_te = train_test_split(
        images, digits.target, test_size=0.2, stratify=digits.target, random_state=seed
    )
    return (x_tr, y_tr.astype(np.int64)), (x_te, y_te.astype(np.int64))


def make_device(name: str, seed: int, ordinal: int = 0) -> Device:
    """The device of ``--device``: ``cpu`` or ``cuda`` (GPU ``ordinal``)."""
    if name == "cpu":
        return Cpu(seed=seed)
    try:
        return dfdx.Cuda(ordinal, seed=seed)
    except dfdx.DeviceError as e:  # no PyCUDA, no GPU, no driver: the error says which
        raise SystemExit(f"--device cuda: {e}") from None


def accuracy(model: Mlp, split: Split, dev: Device, dtype: type[DType]) -> float:
    """The fraction of ``split`` that ``model`` (of ``dtype``) classifies right (inference)."""
    x: Tensor[Rank2[Dyn, 784], f32, Device] = dev.tensor(split[0], shape=(len(split[0]), 784))
    logits = model(x.to_dtype(dtype))
    return float((logits.numpy().argmax(axis=1) == split[1]).mean())


def train(
    args: argparse.Namespace, dev: Device, train_set: Split, test_set: Split
) -> tuple[Mlp, dict[str, list[float]]]:
    """Adam on cross-entropy; returns the model and the per-epoch history. With ``--amp``
    the model is ``AMP[bf16]`` or ``AMP[f16]`` (half storage, f32 accumulation, f32 master
    weights in the optimizer; f16 adds a dynamic loss scaler). With ``--distributed`` (after
    ``distributed.init()``) every rank starts from rank 0's weights, reads its shard of each
    batch and applies the gradient averaged over the ranks."""
    amp: dict[str, type[DType]] = {"bf16": AMP[bf16], "f16": AMP[f16]}
    dtype = amp[args.amp] if args.amp else f32
    parallel = getattr(args, "distributed", False)
    model = dev.build_module(Mlp, dtype)
    if parallel:
        distributed.broadcast(model)  # rank 0's initial weights on every rank
    opt = optim.Adam(model, lr=args.lr)
    scaler = optim.LossScaler() if args.amp == "f16" else None
    items = data.Loader(data.ArrayDataset(*train_set)).shuffled(args.seed)  # new order each epoch
    if parallel:
        items = distributed.shard(items)  # this rank's 1/N of every global batch
    loader = (
        items.batch(args.batch_size)
        .collate()  # [(image, label), ...] -> ([images], [labels])
        .stack(device=dev)  # -> (images (B, 784) f32, labels (B,) i64)
    )
    history: dict[str, list[float]] = {"loss": [], "train_acc": [], "test_acc": []}
    grads = model.alloc_grads()
    bar = tqdm(
        total=args.epochs * len(loader), unit="batch", desc="training", disable=not is_main(args)
    )
    for epoch in range(1, args.epochs + 1):
        total, batches = 0.0, 0
        for images, labels in loader:
            x: Tensor[Rank2[Dyn, 784], f32, Device] = images
            y: Tensor[tuple[Dyn], i64, Device] = labels
            logits = model.forward_mut(x.to_dtype(dtype).traced(grads))
            target = data.one_hot_encode(y, 10).to_dtype(dtype)
            loss = losses.cross_entropy_with_logits_loss(logits, target)
            grads = loss.backward() if scaler is None else scaler.scale(loss).backward()
            if parallel:
                distributed.all_reduce(grads, model)  # the mean gradient over the ranks
            if scaler is None:
                opt.update(model, grads)
            else:
                scaler.update(opt, model, grads)
            model.zero_grads(grads)
            total, batches = total + loss.item(), batches + 1
            bar.update()
            bar.set_postfix(epoch=epoch, loss=f"{loss.item():.3f}")
        mean_loss = total / batches
        if parallel:  # the mean over the ranks: every global batch's mean loss
            mean_loss = distributed.all_reduce_tensor(dev.tensor([mean_loss])).numpy()[0]
        history["loss"].append(float(mean_loss))
        history["train_acc"].append(accuracy(model, train_set, dev, dtype))
        history["test_acc"].append(accuracy(model, test_set, dev, dtype))
        if is_main(args):
            tqdm.write(
                f"epoch {epoch}: loss {history['loss'][-1]:.4f}, "
                f"train {history['train_acc'][-1]:.2%}, test {history['test_acc'][-1]:.2%}"
            )
    bar.close()
    return model, history


def is_main(args: argparse.Namespace) -> bool:
    """Whether this process reports and saves: always, except on ranks other than 0 of a
    ``--distributed`` run."""
    return not getattr(args, "distributed", False) or distributed.rank() == 0


def plot(history: dict[str, list[float]], path: Path) -> None:
    """Loss (left) and train/test accuracy (right) per epoch, as a PNG."""
    epochs = range(1, len(history["loss"]) + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(epochs, history["loss"], marker="o")
    left.set(xlabel="epoch", ylabel="cross-entropy", title="training loss")
    right.plot(epochs, history["train_acc"], marker="o", label="train")
    right.plot(epochs, history["test_acc"], marker="o", label="test")
    right.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    """Parse the options, train, report, save the model and the plot."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="a folder of MNIST IDX files (default: sklearn)")
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--out", type=Path, default=Path("out/mnist"), help="model and plot")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument(
        "--amp", choices=["bf16", "f16"], help="train an AMP[bf16] or AMP[f16] model (else f32)"
    )
    parser.add_argument(
        "--distributed",
        action="store_true",
        help="data-parallel on the processes of `mpiexec -n N` (--batch-size is per process)",
    )
    args = parser.parse_args(argv)

    ordinal = distributed.local_rank() if args.distributed else 0  # one GPU per process
    dev = make_device(args.device, args.seed, ordinal)
    if args.distributed:
        distributed.init(device=dev if args.device == "cuda" else None)
    start = time.perf_counter()
    if args.data is not None:
        train_set, test_set = load_mnist(args.data)
        source = f"MNIST IDX files in {args.data}"
    else:
        train_set, test_set = load_sklearn_digits(dev, args.seed)
        source = "scikit-learn's 8x8 digits, upscaled to 28x28"
    if is_main(args):
        print(f"{source}: {len(train_set[1])} train, {len(test_set[1])} test images")
    if args.distributed and is_main(args):
        n = distributed.world_size()
        print(
            f"data-parallel: {n} processes ({distributed.backend()}), batch {args.batch_size} "
            f"each, {n * args.batch_size} in all"
        )

    # This MLP's matrices are small: one BLAS thread beats several (and a busy machine hurts
    # it less), so numpy's BLAS gets one for the run.
    with threadpool_limits(limits=1, user_api="blas"):
        model, history = train(args, dev, train_set, test_set)
    elapsed = time.perf_counter() - start
    if args.distributed:
        distributed.shutdown()
        if not is_main(args):
            return
    print(f"test accuracy: {history['test_acc'][-1]:.2%} after {args.epochs} epochs")
    print(f"time: {elapsed:.1f} s (loading and training, {args.device})")

    args.out.mkdir(parents=True, exist_ok=True)
    model.save(args.out / "mlp.npz")
    plot(history, args.out / "history.png")
    print(f"saved {args.out / 'mlp.npz'} and {args.out / 'history.png'}")


if __name__ == "__main__":
    main()
