"""upscale2d on the Cuda device: the kernels of upscale2d.cu, one launch each way.

The forward pass runs one thread per output element; the backward pass one thread per
input element summing the (weighted) gradients of the outputs that read it, a gather with
no atomics. The scales are computed here exactly as on the Cpu (``upscale2d/cpu.py``):
nearest in f32, bilinear (aligned corners) in the kernels' compute type (the tensor's dtype,
f32 for f16 and bf16).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx_py.devices.cuda.context import compute_type, suffix
from dfdx_py.devices.cuda.storage import CudaArray
from dfdx_py.ops.upscale2d import UPSCALE2D


def _scale(n_in: int, n_out: int, mode: str, dtype: np.dtype[Any]) -> np.floating[Any]:
    """The per-axis factor from an output index to its source position."""
    if mode == "nearest":
        return np.float32(n_in) / np.float32(n_out)
    ct = compute_type(dtype)
    scale: np.floating[Any] = ct(n_in - 1) / ct(n_out - 1) if n_out > 1 else ct(0)
    return scale


def _launch(mode: str, way: str, src: CudaArray, dst: CudaArray, x_shape: tuple[int, ...],
            size: tuple[int, int], n: int) -> None:  # fmt: skip
    if n == 0:
        return
    h, w = x_shape[-2:]
    h2, w2 = size
    dtype = src.dtype
    name = f"upscale2d_{mode}_{way}_{suffix(dtype)}"
    scales = (_scale(h, h2, mode, dtype), _scale(w, w2, mode, dtype))
    src.ctx.launch("upscale2d", name, n, (n, h, w, h2, w2, *scales, src.ptr, dst.ptr))


@UPSCALE2D.register("cuda")
class Upscale2dCuda:
    def forward(self, x: CudaArray, size: tuple[int, int], mode: str) -> CudaArray:
        y: CudaArray = x.ctx.empty((*x.shape[:-2], *size), x.dtype)
        _launch(mode, "fwd", x, y, x.shape, size, y.size)
        return y

    def backward(self, x: CudaArray, grad_y: CudaArray, mode: str) -> CudaArray:
        grad_x: CudaArray = x.ctx.empty(x.shape, x.dtype)
        size = (grad_y.shape[-2], grad_y.shape[-1])
        _launch(mode, "bwd", grad_y, grad_x, x.shape, size, grad_x.size)
        return grad_x
