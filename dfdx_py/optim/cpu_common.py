"""What the optimizers' Cpu kernels share."""

from __future__ import annotations

from typing import Any

import numpy as np

Array = np.ndarray[Any, Any]


def upcast(a: Array) -> Array:
    """``a`` in at least f32 (f16 and bf16 are updated in f32 and rounded once at the end)."""
    return a.astype(np.float32) if a.dtype.itemsize < 4 else a
