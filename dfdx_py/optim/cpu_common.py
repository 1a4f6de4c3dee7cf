"""What the optimizers' Cpu kernels share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx_py.devices.base import astype_rounded

Array = np.ndarray[Any, Any]


def upcast(a: Array) -> Array:
    """``a`` in at least f32 (f16 and bf16 are updated in f32 and rounded once at the end)."""
    return a.astype(np.float32) if a.dtype.itemsize < 4 else a


def scaled_step(
    step: Callable[[Array, Array], Array],
    param: Array,
    grad: Array,
    grad_scale: float,
    master: Array | None,
) -> Array:
    """Run ``step(p, g)`` (a kernel's update: the new parameter from the parameter and its
    gradient) with ``grad`` multiplied by ``grad_scale`` (in f32 for a half gradient), on
    ``param``, or for an AMP parameter on its f32 ``master``: the master is updated in place
    and the return is it rounded once to ``param``'s dtype."""
    g = upcast(grad)
    if grad_scale != 1.0:
        g = g * g.dtype.type(grad_scale)
    if master is None:
        return step(param, g)
    master[...] = step(master, g)
    return astype_rounded(master, param.dtype)
