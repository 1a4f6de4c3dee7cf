"""Hypothesis strategies and NumPy/PyTorch oracles shared by the reduction, softmax and
broadcast tests: an array with an ``axis`` argument drawn in every accepted form."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from tests.checks import float_arrays

Array = np.ndarray[Any, Any]
AxisArg = int | tuple[int, ...] | None


@st.composite
def axis_args(draw: Any, ndim: int, allow_none: bool = True) -> AxisArg:
    """``None``, one int (possibly negative) or a non-empty tuple of distinct axes, each
    possibly negative, in any order."""
    kinds = (["none"] if allow_none else []) + (["int", "tuple"] if ndim else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return None
    if kind == "int":
        return int(draw(st.integers(-ndim, ndim - 1)))
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    negative = draw(st.lists(st.booleans(), min_size=len(axes), max_size=len(axes)))
    return tuple(a - ndim if neg else a for a, neg in zip(axes, negative, strict=True))


@st.composite
def arrays_with_axis(
    draw: Any,
    min_dims: int = 0,
    max_dims: int = 4,
    allow_none: bool = True,
    low: float | None = None,
    high: float | None = None,
) -> tuple[Array, AxisArg]:
    """An f64 array of a drawn shape and an axis argument valid for it."""
    x = draw(float_arrays(min_dims=min_dims, max_dims=max_dims, low=low, high=high))
    return x, draw(axis_args(x.ndim, allow_none=allow_none))


def torch_dims(axis: AxisArg, ndim: int) -> tuple[int, ...] | int:
    """The ``dim`` argument PyTorch needs for our ``axis`` (``None``: every axis)."""
    return tuple(range(ndim)) if axis is None else axis


def np_axes(axis: AxisArg, ndim: int) -> tuple[int, ...]:
    """``axis`` as sorted non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    return tuple(sorted(a % ndim for a in axis))


def reduced_count(shape: tuple[int, ...], axis: AxisArg) -> int:
    """How many elements each reduction combines."""
    return int(np.prod([shape[a] for a in np_axes(axis, len(shape))], dtype=np.int64))


def np_logsumexp(x: Array, axis: AxisArg, keepdims: bool = False) -> Array:
    axes = np_axes(axis, x.ndim)
    m = np.max(x, axis=axes, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axes)


def np_softmax(x: Array, axis: AxisArg) -> Array:
    axes = np_axes(axis, x.ndim)
    e = np.exp(x - np.max(x, axis=axes, keepdims=True))
    return e / np.sum(e, axis=axes, keepdims=True)


def np_log_softmax(x: Array, axis: AxisArg) -> Array:
    return x - np_logsumexp(x, axis, keepdims=True)


def np_normalize(x: Array, axis: AxisArg, eps: float) -> Array:
    axes = np_axes(axis, x.ndim)
    mean = np.mean(x, axis=axes, keepdims=True)
    var = np.mean((x - mean) ** 2, axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)
