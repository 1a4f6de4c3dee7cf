"""select and gather on the Cpu: one row lookup, and a scatter-add (``np.add.at``) back.

``x`` is viewed as rows ``(batch * size, rest)``; position ``idx[b, n...]`` of batch entry
``b`` is row ``b * size + idx[b, n...]``.
"""

from typing import Any

import numpy as np

from dfdx_py.devices.cpu import Array
from dfdx_py.ops.cpu_common import in_f32
from dfdx_py.ops.select_and_gather import GATHER, SELECT


def _prod(dims: tuple[int, ...]) -> int:
    return int(np.prod(dims, dtype=np.int64))


def _rows(idx: Array, x_shape: tuple[int, ...], axis: int) -> tuple[Array, int, int]:
    """The row of every index entry, the row count and the row length of ``x``."""
    batch = _prod(x_shape[:axis])
    size = x_shape[axis]
    rest = _prod(x_shape[axis + 1 :])
    per_batch = _prod(idx.shape[axis:])
    offsets = np.arange(batch, dtype=np.int64)[:, None] * size
    rows = (offsets + idx.reshape(batch, per_batch)).reshape(-1)
    return rows, batch * size, rest


@SELECT.register("cpu")
@GATHER.register("cpu")
class IndexAxisCpu:
    def forward(self, x: Array, idx: Array, axis: int) -> Array:
        rows, n_rows, rest = _rows(idx, x.shape, axis)
        out: Array = x.reshape(n_rows, rest)[rows]
        return out.reshape(idx.shape + x.shape[axis + 1 :])

    def backward(self, grad_y: Array, idx: Array, axis: int, x_shape: tuple[int, ...]) -> Array:
        if grad_y.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return in_f32(self.backward, grad_y, idx, axis, x_shape)
        rows, n_rows, rest = _rows(idx, x_shape, axis)
        grad_x = np.zeros((n_rows, rest), dtype=grad_y.dtype)
        np.add.at(grad_x, rows, grad_y.reshape(rows.shape[0], rest))
        return grad_x.reshape(x_shape)

    def out_of_range(self, idx: Array, size: int) -> Any:
        if idx.size == 0:
            return None
        bad = (idx < 0) | (idx >= size)
        if not bad.any():
            return None
        return int(idx[bad][0])
