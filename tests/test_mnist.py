"""examples/mnist.py: the demo trains, reports, saves its model and plot; its IDX reader reads
MNIST's format (plain and gzip) from tiny files made here."""

from __future__ import annotations

import gzip
import importlib.util
import re
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import dfdx_py as dfdx

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "mnist.py"
IDX_CODES = {np.dtype(np.uint8): 0x08, np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D}


def run_mnist(*args: str) -> str:
    """Run the demo in a subprocess; its stdout (it must succeed)."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def reported_accuracy(stdout: str) -> float:
    match = re.search(r"test accuracy: ([0-9.]+)%", stdout)
    assert match, stdout
    return float(match.group(1)) / 100


def write_idx(path: Path, array: np.ndarray) -> None:
    """``array`` as an IDX file (gzip-compressed when ``path`` ends in ``.gz``)."""
    array = np.asarray(array, dtype=array.dtype.newbyteorder(">") if array.itemsize > 1 else None)
    header = bytes([0, 0, IDX_CODES[array.dtype], array.ndim])
    header += struct.pack(f">{array.ndim}i", *array.shape)
    raw = header + array.tobytes()
    path.write_bytes(gzip.compress(raw) if path.suffix == ".gz" else raw)


def make_mnist(folder: Path, n_train: int, n_test: int) -> None:
    """Four tiny MNIST-like IDX files: label k is a bright band at rows 2k..2k+2."""
    rng = np.random.default_rng(0)
    for prefix, n, suffix in (("train", n_train, ".gz"), ("t10k", n_test, "")):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
        for i, k in enumerate(labels):
            images[i, 2 * k + 4 : 2 * k + 6] = 255
        write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", labels)


@pytest.fixture(scope="module")
def mnist() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mnist_example", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # build_module resolves the model's annotations there
    spec.loader.exec_module(module)
    return module


def test_trains_on_sklearn_digits_and_saves(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stdout = run_mnist("--epochs", "2", "--out", str(out), "--seed", "1")
    assert "1437 train, 360 test" in stdout
    assert reported_accuracy(stdout) > 0.8  # two epochs; the default 25 reach ~97%
    assert re.search(r"time: [0-9.]+ s", stdout)
    assert (out / "mlp.npz").stat().st_size > 784 * 128 * 4
    assert (out / "history.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with np.load(out / "mlp.npz") as saved:
        assert saved["l1.weight"].shape == (128, 784)


def test_trains_on_idx_files(tmp_path: Path) -> None:
    make_mnist(tmp_path, n_train=300, n_test=100)
    out = tmp_path / "out"
    stdout = run_mnist("--data", str(tmp_path), "--epochs", "3", "--out", str(out))
    assert "300 train, 100 test" in stdout
    assert reported_accuracy(stdout) > 0.5  # the bands are easy to tell apart
    assert (out / "mlp.npz").exists() and (out / "history.png").exists()


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype", [np.uint8, ">i4", ">f4"])
def test_read_idx(mnist: ModuleType, tmp_path: Path, suffix: str, dtype: str) -> None:
    array = np.arange(2 * 3 * 4).reshape(2, 3, 4).astype(dtype)
    path = tmp_path / f"a.idx{suffix}"
    write_idx(path, array)
    read = mnist.read_idx(path)
    assert read.shape == (2, 3, 4)
    assert np.array_equal(read, array)


def test_read_idx_rejects_other_files(mnist: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "not-idx"
    path.write_bytes(b"PK\x03\x04 a zip file")
    with pytest.raises(ValueError, match="not an IDX file"):
        mnist.read_idx(path)
    write_idx(path, np.zeros((2, 5), np.uint8))
    path.write_bytes(path.read_bytes()[:-3])  # truncated
    with pytest.raises(ValueError, match=r"dims \(2, 5\) need 10 items, found 7"):
        mnist.read_idx(path)


def test_missing_idx_files_fail_clearly(mnist: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no train-images-idx3-ubyte"):
        mnist.load_mnist(tmp_path)


def cuda_usable() -> bool:
    cuda = getattr(dfdx, "Cuda", None)
    if cuda is None:
        return False
    try:
        cuda(0)
    except dfdx.DeviceError:
        return False
    return True


@pytest.mark.skipif(cuda_usable(), reason="a Cuda device works here")
def test_device_cuda_without_a_gpu_fails_clearly(mnist: ModuleType) -> None:
    with pytest.raises(SystemExit, match=r"^--device cuda: "):
        mnist.make_device("cuda", 0)


def test_bf16_amp_training_reaches_the_f32_accuracy(mnist: ModuleType) -> None:
    """``--amp bf16``: the same MLP with half storage and f32 master weights ends where f32
    does (within a point of accuracy), and so does ``--amp f16`` with its loss scaler."""
    import argparse

    dev = dfdx.Cpu(seed=0)
    train_set, test_set = mnist.load_sklearn_digits(dev, 0)
    accuracy = {}
    for amp in (None, "bf16", "f16"):
        args = argparse.Namespace(epochs=8, batch_size=64, lr=1e-3, seed=0, amp=amp)
        model, history = mnist.train(args, dev, train_set, test_set)
        assert (
            model.l1.weight.dtype
            is {None: dfdx.f32, "bf16": dfdx.AMP[dfdx.bf16], "f16": dfdx.AMP[dfdx.f16]}[amp]
        )
        accuracy[amp] = history["test_acc"][-1]
    assert accuracy[None] > 0.93
    assert accuracy["bf16"] >= accuracy[None] - 0.01, accuracy
    assert accuracy["f16"] >= accuracy[None] - 0.01, accuracy
