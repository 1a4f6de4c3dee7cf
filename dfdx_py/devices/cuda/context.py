"""``CudaContext``: one GPU's primary context, memory, loaded kernels and cuBLAS handle.

Every ``Cuda`` device of one ordinal shares it, and every ``CudaArray`` points to it, so a
kernel needs only its storage arguments to allocate and launch (``x.ctx.launch(...)``).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import math
from pathlib import Path
from typing import Any

import numpy as np

from dfdx_py.devices.cuda.allocator import CachingAllocator
from dfdx_py.devices.cuda.cublas import Cublas
from dfdx_py.devices.cuda.driver import checked, driver, driver_errors
from dfdx_py.dtypes import bf16, f16
from dfdx_py.errors import DeviceError

PTX_DIR = Path(__file__).resolve().parents[2] / "ops" / "kernels" / "ptx"
"""Where ``scripts/build_ptx.py`` writes the PTX of every ``.cu`` file."""

BLOCK = 256
"""Threads per block of the elementwise (grid-stride) kernels."""

GRID_LIMIT = 1 << 20
"""The most blocks a launch gets without an explicit grid; larger launches loop with the
grid stride. Up to it, a streaming kernel gets one block per ``BLOCK`` items, which keeps
the most memory accesses in flight (an H200 reads 4.18 TB/s this way against 3.86 TB/s
with 32 blocks per multiprocessor)."""

VECTOR_BYTES = 16
"""The bytes one thread of a ``VEC_LOOP`` kernel (kernel_macros.cuh) loads at a time."""


def vector_lanes(dtype: np.dtype[Any]) -> int:
    """The elements of ``dtype`` in a 16-byte vector (4 f32, 8 f16, 16 bool)."""
    return max(VECTOR_BYTES // dtype.itemsize, 1)


def vector_items(n: int, dtype: np.dtype[Any]) -> int:
    """The threads a ``VEC_LOOP`` kernel needs for ``n`` elements of ``dtype``: one per
    16-byte vector, the few left over done in the grid-stride tail."""
    return -(-n // vector_lanes(dtype))


SUFFIX = {
    f16.numpy: "f16",
    bf16.numpy: "bf16",
    np.dtype(np.float32): "f32",
    np.dtype(np.float64): "f64",
    np.dtype(np.int64): "i64",
    np.dtype(np.bool_): "bool",
}
"""The suffix of a kernel's name for each storage dtype: ``relu_fwd_f32``. The AMP dtypes
are stored as f16 and bf16 and use their kernels."""

HALF = (f16.numpy, bf16.numpy)
"""The storage dtypes whose kernels load and store 16 bits and compute in f32."""


def suffix(dtype: np.dtype[Any]) -> str:
    """``"f32"`` for float32 storage; ``DeviceError`` for a dtype with no Cuda kernels."""
    try:
        return SUFFIX[dtype]
    except KeyError:
        raise DeviceError(f"Cuda: no kernels for {dtype} tensors") from None


def state_suffix(what: str, param: np.dtype[Any], *states: np.dtype[Any]) -> str:
    """The suffix of an optimizer's update kernel for parameters (and gradients) stored as
    ``param`` and state buffers stored as ``states``: the parameter's (``"f16"``) when they
    all share its dtype, ``"f16_f32"`` for f16 or bf16 parameters with f32 state;
    ``DeviceError`` for any other mix."""
    name = suffix(param)
    kinds = set(states)
    if kinds <= {param} and (param.kind == "f" or param in HALF):  # (bf16's kind is "V")
        return name
    if param in HALF and kinds == {np.dtype(np.float32)}:
        return f"{name}_f32"
    held = ", ".join(sorted(str(k) for k in kinds))
    raise DeviceError(f"{what}: no Cuda kernel for {param} parameters with {held} state")


def compute_type(dtype: np.dtype[Any]) -> type[Any]:
    """The numpy scalar type of a kernel's scalar parameters for storage ``dtype``: the
    type the kernel computes in (``compute_t`` in kernel_macros.cuh), f32 for f16 and bf16,
    the dtype's own otherwise."""
    return np.float32 if dtype in HALF else dtype.type


_FORMAT = {
    np.dtype(np.float32): "f",
    np.dtype(np.float64): "d",
    np.dtype(np.int64): "q",
    np.dtype(np.int32): "i",
    np.dtype(np.bool_): "?",
}


def arg_format(args: tuple[Any, ...]) -> str:
    """PyCUDA's ``prepare`` format for ``args``: ``P`` for Python ints (sizes and device
    pointers, passed as 64-bit ``size_t``), and the numpy scalars' own types."""
    out = []
    for a in args:
        if isinstance(a, int) and not isinstance(a, bool):
            out.append("P")
        elif isinstance(a, np.generic) and a.dtype in _FORMAT:
            out.append(_FORMAT[a.dtype])
        else:
            raise TypeError(f"kernel argument {a!r}: pass ints or numpy scalars")
    return "".join(out)


class CudaContext:
    """The shared state of one GPU (see the module docstring)."""

    def __init__(self, ordinal: int) -> None:
        drv = driver()
        count = drv.Device.count()
        if not 0 <= ordinal < count:
            raise DeviceError(f"Cuda: no device {ordinal} (this machine has {count})")
        self.drv = drv
        self.ordinal = ordinal
        self.device = drv.Device(ordinal)
        self.context = checked("retain the primary context", self.device.retain_primary_context)
        checked("make the context current", self.context.push)
        atexit.register(self._release)  # PyCUDA aborts at exit if a context is still pushed
        self.allocator = CachingAllocator(drv)
        self.sm_count = int(self.device.get_attribute(drv.device_attribute.MULTIPROCESSOR_COUNT))
        self.name = str(self.device.name())
        self._modules: dict[str, Any] = {}
        self._functions: dict[tuple[str, str], Any] = {}
        self._cublas: Cublas | None = None

    @property
    def cublas(self) -> Cublas:
        """The cuBLAS handle, created on first use."""
        if self._cublas is None:
            self._cublas = Cublas()
        return self._cublas

    def empty(self, shape: tuple[int, ...], dtype: np.dtype[Any]) -> Any:
        """Uninitialised storage of ``shape`` (kernels fill it)."""
        from dfdx_py.devices.cuda.storage import CudaArray

        nbytes = math.prod(shape) * dtype.itemsize
        block = None if nbytes == 0 else self.allocator.malloc(nbytes)
        return CudaArray(self, block, tuple(shape), dtype)

    def function(self, module: str, name: str, args: tuple[Any, ...]) -> Any:
        """The prepared kernel ``name`` of ``<module>.ptx``; the module loads on first use."""
        key = (module, name)
        fn = self._functions.get(key)
        if fn is None:
            mod = self._modules.get(module)
            if mod is None:
                path = PTX_DIR / f"{module}.ptx"
                if not path.exists():
                    raise DeviceError(f"Cuda: no PTX for {module}; run scripts/build_ptx.py")
                mod = checked(f"load {path.name}", self.drv.module_from_buffer, path.read_bytes())
                self._modules[module] = mod
            fn = checked(f"find kernel {name} in {module}.ptx", mod.get_function, name)
            fn.prepare(arg_format(args))
            self._functions[key] = fn
        return fn

    def launch(
        self,
        module: str,
        name: str,
        n: int,
        args: tuple[Any, ...],
        block: int = BLOCK,
        grid: int | None = None,
        shared: int = 0,
    ) -> None:
        """Run kernel ``name`` of ``<module>.ptx`` over ``n`` items on the default stream.

        ``args`` are the kernel's parameters: Python ints for sizes and device pointers,
        numpy scalars for typed values. Without ``grid``, the items get one thread each, in
        blocks of ``block`` threads, at most ``GRID_LIMIT`` blocks (the kernels loop with a
        grid stride). For a ``VEC_LOOP`` kernel an item is a vector: ``vector_items``.
        """
        fn = self._functions.get((module, name)) or self.function(module, name, args)
        if grid is None:
            grid = max(1, min(-(-n // block), GRID_LIMIT))
        try:  # (no context manager here: this runs for every kernel)
            fn.prepared_async_call((grid, 1, 1), (block, 1, 1), None, *args, shared_size=shared)
        except Exception:
            with driver_errors(f"launch {name}"):
                raise

    def _release(self) -> None:
        """At interpreter exit: give cached memory back and pop the context we pushed."""
        with contextlib.suppress(Exception):
            self.synchronize()
            self.allocator.empty_cache()
        with contextlib.suppress(Exception):
            self.context.pop()

    def synchronize(self) -> None:
        """Wait until every launched kernel has finished."""
        checked("synchronize", self.context.synchronize)

    def to_host(self, data: Any) -> np.ndarray[Any, Any]:
        """A numpy copy of device storage ``data`` (waits for the kernels writing it)."""
        host = np.empty(data.shape, dtype=data.dtype)
        if data.nbytes:
            with driver_errors("copy to the host"):
                self.drv.memcpy_dtoh(host, data.ptr)
        return host

    def from_host(self, array: np.ndarray[Any, Any]) -> Any:
        """Device storage holding a copy of ``array``."""
        host = np.asarray(array, order="C")  # keeps a 0-d array 0-d (ascontiguousarray does not)
        out = self.empty(host.shape, host.dtype)
        if out.nbytes:
            with driver_errors("copy to the device"):
                self.drv.memcpy_htod(out.ptr, host)
        return out


@functools.cache
def context(ordinal: int) -> CudaContext:
    """The one context of GPU ``ordinal`` in this process."""
    return CudaContext(ordinal)
