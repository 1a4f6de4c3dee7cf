"""``EmulatedContext``: what ``CudaContext`` offers, on the CPU (see the package docstring)."""

from __future__ import annotations

import ctypes
import hashlib
import math
import subprocess
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np

from dfdx_py.devices.base import Device
from dfdx_py.devices.cuda.device import Cuda
from dfdx_py.devices.cuda.storage import CudaArray

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SHIM = HERE / "cuda_emulator.h"
INCLUDE = ROOT / "dfdx_py" / "ops" / "kernels" / "include"
BUILD = HERE / "build"
MAX_BLOCKS = 3  # blocks run one after another; a few exercise the grid-stride loops

_CTYPE = {
    np.dtype(np.float32): ctypes.c_float,
    np.dtype(np.float64): ctypes.c_double,
    np.dtype(np.int64): ctypes.c_longlong,
    np.dtype(np.int32): ctypes.c_int,
    np.dtype(np.bool_): ctypes.c_bool,
}


def host_view(ptr: int, shape: tuple[int, ...], dtype: np.dtype[Any]) -> np.ndarray[Any, Any]:
    """A numpy array over the emulated device memory at ``ptr``."""
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes == 0:
        return np.empty(shape, dtype)
    raw = (ctypes.c_char * nbytes).from_address(ptr)
    return np.frombuffer(raw, dtype=dtype).reshape(shape)


class _HostBlock:
    """Stands for an allocator block: keeps a host buffer alive."""

    __slots__ = ("buffer", "ptr", "size")

    def __init__(self, nbytes: int) -> None:
        self.buffer = np.empty(nbytes, dtype=np.uint8)
        self.buffer.fill(0xCD)  # poison: a kernel that leaves an element unwritten shows
        self.ptr = self.buffer.ctypes.data
        self.size = nbytes


class _Driver:
    class MemoryError(Exception):
        pass

    @staticmethod
    def memset_d8(ptr: int, value: int, nbytes: int) -> None:
        ctypes.memset(ptr, value, nbytes)


class _Allocator:
    in_use_bytes = 0
    cached_bytes = 0


_GEMM_DTYPES = {
    "f16": np.dtype(np.float16),
    "bf16": np.dtype(ml_dtypes.bfloat16),
    "f32": np.dtype(np.float32),
    "f64": np.dtype(np.float64),
}


class EmulatedCublas:
    """cuBLAS's row-major GEMM (see dfdx_py/devices/cuda/cublas.py) in numpy; f16 and bf16
    are computed in f32 (as ``CUBLAS_COMPUTE_32F``) and rounded once."""

    tf32 = False

    def set_tf32(self, enabled: bool) -> None:
        self.tf32 = enabled

    def gemm(self, dtype: str, m: int, n: int, k: int, a: int, trans_a: bool, b: int,
             trans_b: bool, c: int, beta: float = 0.0, batch: int = 1, stride_a: int = 0,
             stride_b: int = 0, stride_c: int = 0, c_dtype: str | None = None,
             ) -> None:  # fmt: skip
        dt = _GEMM_DTYPES[dtype]
        ct = _GEMM_DTYPES[c_dtype or dtype]
        work = np.float32 if dt.itemsize == 2 else dt  # the compute type
        size = dt.itemsize
        for i in range(batch):
            a_mat = host_view(a + i * stride_a * size, (k, m) if trans_a else (m, k), dt)
            b_mat = host_view(b + i * stride_b * size, (n, k) if trans_b else (k, n), dt)
            c_mat = host_view(c + i * stride_c * ct.itemsize, (m, n), ct)
            a_w, b_w = a_mat.astype(work), b_mat.astype(work)
            product = (a_w.T if trans_a else a_w) @ (b_w.T if trans_b else b_w)
            if beta:
                product = product + beta * c_mat.astype(work)
            with np.errstate(over="ignore"):  # past the half range: inf, as on the GPU
                c_mat[...] = product.astype(ct)


class EmulatedContext:
    """Device memory in host buffers; kernels from g++-compiled ``.cu`` files."""

    def __init__(self) -> None:
        self.drv = _Driver()
        self.allocator = _Allocator()
        self.name = "CUDA emulator (CPU)"
        self.ordinal = 0
        self.sm_count = 1
        self.cublas = EmulatedCublas()
        self._libraries: dict[str, ctypes.CDLL] = {}
        self._kernels: dict[tuple[str, str], Any] = {}

    def empty(self, shape: tuple[int, ...], dtype: np.dtype[Any]) -> CudaArray:
        nbytes = math.prod(shape) * dtype.itemsize
        block = None if nbytes == 0 else _HostBlock(nbytes)
        return CudaArray(self, block, tuple(shape), dtype)  # type: ignore[arg-type]

    def to_host(self, data: CudaArray) -> np.ndarray[Any, Any]:
        return host_view(data.ptr, data.shape, data.dtype).copy()

    def from_host(self, array: np.ndarray[Any, Any]) -> CudaArray:
        host = np.asarray(array, order="C")  # keeps a 0-d array 0-d (ascontiguousarray does not)
        out = self.empty(host.shape, host.dtype)
        if out.nbytes:
            ctypes.memmove(out.ptr, host.ctypes.data, out.nbytes)
        return out

    def synchronize(self) -> None:
        pass

    def launch(self, module: str, name: str, n: int, args: tuple[Any, ...], block: int = 256,
               grid: int | None = None, shared: int = 0) -> None:  # fmt: skip
        kernel, library = self._kernel(module, name, args)
        blocks = max(1, min(grid if grid is not None else -(-n // block), MAX_BLOCKS))
        for b in range(blocks):
            library.dfdx_emu_set_block(b, blocks)
            kernel(*args)

    def _kernel(self, module: str, name: str, args: tuple[Any, ...]) -> tuple[Any, Any]:
        library = self._library(module)
        key = (module, name)
        kernel = self._kernels.get(key)
        if kernel is None:
            kernel = getattr(library, name)
            kernel.restype = None
            kernel.argtypes = [_argtype(a) for a in args]
            self._kernels[key] = kernel
        return kernel, library

    def _library(self, module: str) -> ctypes.CDLL:
        library = self._libraries.get(module)
        if library is None:
            library = ctypes.CDLL(str(compile_module(module)))
            library.dfdx_emu_set_block.argtypes = [ctypes.c_uint, ctypes.c_uint]
            self._libraries[module] = library
        return library


def _argtype(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return ctypes.c_size_t
    return _CTYPE[np.asarray(value).dtype]


def compile_module(module: str) -> Path:
    """``<module>.cu`` built for the host (cached by the hash of the sources)."""
    sources = [p for p in (ROOT / "dfdx_py").rglob(f"{module}.cu")]
    if len(sources) != 1:
        raise FileNotFoundError(f"emulator: expected one {module}.cu, found {sources}")
    source = sources[0]
    h = hashlib.sha256(source.read_bytes() + SHIM.read_bytes())
    for header in sorted(INCLUDE.glob("*.cuh")):
        h.update(header.read_bytes())
    out = BUILD / f"{module}-{h.hexdigest()[:16]}.so"
    if not out.exists():
        BUILD.mkdir(exist_ok=True)
        tmp = out.with_suffix(".tmp")
        cmd = [
            "g++",
            "-std=c++17",
            "-O1",
            "-shared",
            "-fPIC",
            "-w",
            "-DDFDX_EMULATOR",
            "-include",
            str(SHIM),
            f"-I{INCLUDE}",
            "-x",
            "c++",
            str(source),
            "-o",
            str(tmp),
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"emulator: g++ failed on {source}:\n{result.stderr}")
        tmp.replace(out)
    return out


_CONTEXT: EmulatedContext | None = None


class EmulatedCuda(Cuda):
    """A ``Cuda`` device whose context is the emulator."""

    def __init__(self, ordinal: int = 0, seed: int = 0) -> None:
        global _CONTEXT
        Device.__init__(self, seed)
        self.ordinal = ordinal
        if _CONTEXT is None:
            _CONTEXT = EmulatedContext()
        self.ctx = _CONTEXT  # type: ignore[assignment]
