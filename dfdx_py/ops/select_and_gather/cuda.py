"""select and gather on the Cuda device: the kernels of select_and_gather.cu.

``x`` is seen as rows ``(batch * size, rest)`` and the index as ``(batch, per_batch)``, as
on the Cpu: the forward pass copies one row per index entry (``gather_rows``), the backward
pass zero-fills the gradient and adds each row of ``grad_y`` back with ``atomicAdd``
(``scatter_add_rows``: a repeated index adds up). One launch each way; f16 and bf16
gradients are summed in f32 and rounded once (one more launch, ``to_dtype``'s conversion).
"""

import math
from typing import Any

import numpy as np

from dfdx_py.devices.cuda.context import HALF, suffix
from dfdx_py.ops.select_and_gather import GATHER, SELECT
from dfdx_py.ops.slice.cuda import zeros
from dfdx_py.ops.to_dtype.cuda import convert

CHECK_THREADS = 256
"""Threads of the one block of ``first_out_of_range`` (its shared array's size)."""


def _rows(idx: Any, x_shape: tuple[int, ...], axis: int) -> tuple[int, int, int]:
    """Index entries per batch entry, the size of ``axis`` and the row length of ``x``."""
    return math.prod(idx.shape[axis:]), x_shape[axis], math.prod(x_shape[axis + 1 :])


@SELECT.register("cuda")
@GATHER.register("cuda")
class IndexAxisCuda:
    def forward(self, x: Any, idx: Any, axis: int) -> Any:
        per_batch, size, rest = _rows(idx, x.shape, axis)
        out = x.ctx.empty(idx.shape + x.shape[axis + 1 :], x.dtype)
        if out.size:
            args = (out.size, per_batch, size, rest, idx.ptr, x.ptr, out.ptr)
            x.ctx.launch("select_and_gather", f"gather_rows_{suffix(x.dtype)}", out.size, args)
        return out

    def backward(self, grad_y: Any, idx: Any, axis: int, x_shape: tuple[int, ...]) -> Any:
        per_batch, size, rest = _rows(idx, x_shape, axis)
        half = grad_y.dtype in HALF
        sums = zeros(grad_y.ctx, x_shape, np.dtype(np.float32) if half else grad_y.dtype)
        if grad_y.size:
            name = f"scatter_add_rows_{suffix(grad_y.dtype)}"
            args = (grad_y.size, per_batch, size, rest, idx.ptr, grad_y.ptr, sums.ptr)
            grad_y.ctx.launch("select_and_gather", name, grad_y.size, args)
        return convert(sums, grad_y.dtype) if half else sums

    def out_of_range(self, idx: Any, size: int) -> int | None:
        # The IndexError must be raised before the kernels run (a bad index reads out of
        # bounds), so this check needs the answer on the host: one small reduction kernel
        # finds the first bad entry and ONE device->host read brings back two numbers
        # (its position and value), the only host round trip of select and gather.
        if idx.size == 0:
            return None
        found = idx.ctx.empty((2,), np.dtype(np.int64))
        args = (idx.size, size, idx.ptr, found.ptr)
        idx.ctx.launch("select_and_gather", "first_out_of_range", idx.size, args,
                       block=CHECK_THREADS, grid=1)  # fmt: skip
        position, value = (int(v) for v in idx.ctx.to_host(found))
        return None if position >= idx.size else value
