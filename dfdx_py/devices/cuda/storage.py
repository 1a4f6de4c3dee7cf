"""``CudaArray``: the Cuda device's storage, a C-contiguous array in device memory.

Unlike numpy arrays it has no strides: every kernel reads and writes contiguous memory, and
an op that is a view on the Cpu (permute, broadcast, slicing) copies on the Cuda device.
``reshape`` is free (the same memory, another shape). ``ctx`` is the GPU it lives on, so a
kernel given only storages can allocate its output and launch.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from dfdx_py.devices.cuda.allocator import Block

if TYPE_CHECKING:
    from dfdx_py.devices.cuda.context import CudaContext


class CudaArray:
    """``shape`` and numpy ``dtype`` of ``size`` elements at device address ``ptr``."""

    __slots__ = ("block", "ctx", "dtype", "nbytes", "ptr", "shape", "size")

    def __init__(
        self,
        ctx: CudaContext,
        block: Block | None,
        shape: tuple[int, ...],
        dtype: np.dtype[Any],
    ) -> None:
        self.ctx = ctx
        self.block = block  # keeps the memory alive; None for an empty array
        self.ptr = 0 if block is None else block.ptr
        self.shape = shape
        self.dtype = dtype
        self.size = math.prod(shape)
        self.nbytes = self.size * dtype.itemsize

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    def reshape(self, shape: tuple[int, ...]) -> CudaArray:
        """The same memory seen with another shape of the same size."""
        if math.prod(shape) != self.size:
            raise ValueError(f"cannot reshape {self.shape} to {shape}")
        view = CudaArray.__new__(CudaArray)
        view.ctx, view.block, view.ptr, view.shape = self.ctx, self.block, self.ptr, tuple(shape)
        view.dtype, view.size, view.nbytes = self.dtype, self.size, self.nbytes
        return view

    def __repr__(self) -> str:
        return f"CudaArray(shape={self.shape}, dtype={self.dtype}, ptr={self.ptr:#x})"
