"""upscale2d on the Cpu, one axis at a time.

Both modes are separable: along each spatial axis every output index reads one (nearest) or
two (bilinear) input indices with weights. The forward pass gathers them (``np.take``); the
backward pass scatter-adds the weighted output gradient back. The source indices grow with
the output index, so the scatter is a segmented sum (``np.add.reduceat``), vectorised.
"""

from typing import Any

import numpy as np

from dfdx_py.ops.cpu_common import in_f32
from dfdx_py.ops.upscale2d import UPSCALE2D

Array = np.ndarray[Any, Any]
Taps = list[tuple[Array, Array | None]]
"""Per axis: (source indices, weights or ``None`` for 1) for each input an output reads."""


def _taps(n_in: int, n_out: int, mode: str, dtype: Any) -> Taps:
    if mode == "nearest":
        # dfdx and PyTorch compute floor(o * (in / out)) in f32
        scale = np.float32(n_in) / np.float32(n_out)
        src = np.floor(np.arange(n_out, dtype=np.float32) * scale).astype(np.int64)
        return [(np.minimum(src, n_in - 1), None)]
    # bilinear with aligned corners: output o reads input o * (in - 1) / (out - 1)
    ct = dtype if dtype.char in "fd" else np.dtype(np.float32)
    scale = ct.type(n_in - 1) / ct.type(n_out - 1) if n_out > 1 else ct.type(0)
    pos = np.arange(n_out, dtype=ct) * scale
    i0 = np.minimum(np.floor(pos).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    w1 = pos - i0.astype(ct)
    w0 = 1 - w1
    return [(i0, w0.astype(dtype)), (i1, w1.astype(dtype))]


def _weighted(v: Array, weights: Array | None, axis: int) -> Array:
    if weights is None:
        return v
    return v * (weights[:, None] if axis == -2 else weights)


def _gather(x: Array, taps: Taps, axis: int) -> Array:
    out: Array | None = None
    for idx, weights in taps:
        part = _weighted(np.take(x, idx, axis=axis), weights, axis)
        out = part if out is None else out + part
    assert out is not None
    return out


def _scatter(g: Array, taps: Taps, axis: int, n_in: int) -> Array:
    shape = list(g.shape)
    shape[axis] = n_in
    out = np.zeros(shape, dtype=g.dtype)
    for idx, weights in taps:
        v = _weighted(g, weights, axis)
        starts = np.flatnonzero(np.diff(idx, prepend=-1))  # idx is non-decreasing
        sums = np.add.reduceat(v, starts, axis=axis)
        index: list[Any] = [slice(None)] * g.ndim
        index[axis] = idx[starts]
        out[tuple(index)] += sums
    return out


@UPSCALE2D.register("cpu")
class Upscale2dCpu:
    def forward(self, x: Array, size: tuple[int, int], mode: str) -> Array:
        if x.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return in_f32(self.forward, x, size, mode)
        h, w = x.shape[-2:]
        y = _gather(x, _taps(h, size[0], mode, x.dtype), -2)
        return _gather(y, _taps(w, size[1], mode, x.dtype), -1)

    def backward(self, x: Array, grad_y: Array, mode: str) -> Array:
        if x.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return in_f32(self.backward, x, grad_y, mode)
        h, w = x.shape[-2:]
        h2, w2 = grad_y.shape[-2:]
        g = _scatter(grad_y, _taps(w, w2, mode, x.dtype), -1, w)
        return _scatter(g, _taps(h, h2, mode, x.dtype), -2, h)
