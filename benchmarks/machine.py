"""A one-line description of the machine a benchmark ran on (for tables in the README)."""

from __future__ import annotations

import os
import platform

import numpy as np


def describe() -> str:
    """CPU model, core count, Python, numpy (and its BLAS) and torch versions."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    blas = "unknown BLAS"
    try:
        info = np.show_config(mode="dicts")  # type: ignore[call-arg]
        blas = info["Build Dependencies"]["blas"]["name"]
    except Exception:
        pass
    torch_version = "not installed"
    try:
        import torch

        torch_version = f"{torch.__version__} ({torch.get_num_threads()} threads)"
    except ImportError:
        pass
    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__} ({blas}), torch {torch_version}"
    )
