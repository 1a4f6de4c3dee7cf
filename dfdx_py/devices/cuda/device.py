"""``Cuda``: tensors in GPU memory, computed by the project's own PTX kernels and cuBLAS.

Only PyCUDA's driver API is used: the device's primary context is retained and made current
(no ``pycuda.autoinit``), PTX is loaded with ``module_from_buffer`` the first time one of its
kernels runs, and kernels launch as prepared calls on the default stream. Memory comes from a
caching allocator, so an op does not pay a ``cuMemAlloc``. See ``context.py``.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np

from dfdx_py.devices.base import Device, astype_rounded
from dfdx_py.devices.cuda.context import CudaContext, compute_type, context, suffix
from dfdx_py.devices.cuda.driver import driver_errors, unavailable_reason
from dfdx_py.devices.cuda.storage import CudaArray
from dfdx_py.dtypes import DType


def cuda_unavailable_reason() -> str | None:
    """``None`` when ``Cuda(0)`` works here, else why not (the test suite skips with it)."""
    return unavailable_reason()


class Cuda(Device):
    """An NVIDIA GPU: ``dev = Cuda(0, seed=0)``.

    Random numbers come from the same seeded numpy generator as on the Cpu (drawn on the host,
    then copied), so one seed gives the same initial weights on both devices. On a machine
    without PyCUDA or a GPU, ``Cuda()`` raises a ``DeviceError`` saying why.
    """

    kind = "cuda"

    def __init__(self, ordinal: int = 0, seed: int = 0) -> None:
        super().__init__(seed)
        self.ordinal = ordinal
        self.ctx: CudaContext = context(ordinal)

    @property
    def key(self) -> Hashable:
        return ("cuda", self.ordinal)

    def __repr__(self) -> str:
        return f"Cuda({self.ordinal}, seed={self.seed})"

    @property
    def name(self) -> str:
        """The GPU's name (``NVIDIA H200``)."""
        return self.ctx.name

    @property
    def allow_tf32(self) -> bool:
        """Whether f32 matmuls may run on tensor cores in TF32 (PyTorch's
        ``torch.backends.cuda.matmul.allow_tf32``); off by default: f32 matmuls are exact."""
        return self.ctx.cublas.tf32

    @allow_tf32.setter
    def allow_tf32(self, enabled: bool) -> None:
        self.ctx.cublas.set_tf32(enabled)

    def memory_in_use(self) -> int:
        """Bytes of device memory held by live tensors (the allocator's cache not counted)."""
        return self.ctx.allocator.in_use_bytes

    def synchronize(self) -> None:
        """Wait until every launched kernel has finished."""
        self.ctx.synchronize()

    # -- storage primitives ------------------------------------------------------------------

    def _from_numpy(self, array: np.ndarray[Any, Any]) -> CudaArray:
        return self.ctx.from_host(array)  # type: ignore[no-any-return]

    def _to_numpy(self, data: CudaArray) -> np.ndarray[Any, Any]:
        return self.ctx.to_host(data)

    def _full(self, shape: tuple[int, ...], dtype: type[DType], value: float) -> CudaArray:
        out: CudaArray = self.ctx.empty(shape, dtype.numpy)
        if out.size == 0:
            return out
        if value == 0:
            with driver_errors("fill with zeros"):
                self.ctx.drv.memset_d8(out.ptr, 0, out.nbytes)
        else:
            kernel = f"fill_{suffix(dtype.numpy)}"
            # rounded to the dtype as on the Cpu, passed in the kernel's compute type (exactly)
            rounded = astype_rounded(np.array(value, np.float64), dtype.numpy)
            fill = compute_type(dtype.numpy)(rounded)
            self.ctx.launch("fill", kernel, out.size, (out.size, fill, out.ptr))
        return out

    def _add(self, a: CudaArray, b: CudaArray) -> CudaArray:
        out: CudaArray = self.ctx.empty(a.shape, a.dtype)
        if out.size:
            name = f"add_fwd_{suffix(a.dtype)}"
            self.ctx.launch("add", name, out.size, (out.size, a.ptr, b.ptr, out.ptr))
        return out
