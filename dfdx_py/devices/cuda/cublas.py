"""cuBLAS through ctypes (as cudarc does): GEMM on row-major matrices.

cuBLAS is column-major. A row-major ``(r, c)`` matrix is the column-major ``(c, r)`` matrix of
the same memory, so ``C = op(A) op(B)`` in row-major is ``Cᵀ = op(B)ᵀ op(A)ᵀ`` in column-major:
the call passes B first, and a transpose flag of ours is the same flag for cuBLAS.

f32 and f64 use ``cublasSgemm`` / ``cublasDgemm``; f16 and bf16 use ``cublasGemmEx`` with
half inputs and ``CUBLAS_COMPUTE_32F``: products summed in f32 (on tensor cores), the result
rounded once to half, or kept in f32 when asked (``c_dtype``)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from typing import Any

from dfdx_py.errors import DeviceError

_OP_N, _OP_T = 0, 1
_DEFAULT_MATH, _TF32_TENSOR_OP_MATH = 0, 3
_DATA_TYPE = {"f16": 2, "bf16": 14, "f32": 0}  # cudaDataType: CUDA_R_16F, _16BF, _32F
_COMPUTE_32F = 68  # cublasComputeType_t CUBLAS_COMPUTE_32F
_GEMM_DEFAULT = -1  # cublasGemmAlgo_t CUBLAS_GEMM_DEFAULT

_STATUS = {
    0: "SUCCESS",
    1: "NOT_INITIALIZED",
    3: "ALLOC_FAILED",
    7: "INVALID_VALUE",
    8: "ARCH_MISMATCH",
    11: "MAPPING_ERROR",
    13: "EXECUTION_FAILED",
    14: "INTERNAL_ERROR",
    15: "NOT_SUPPORTED",
    16: "LICENSE_ERROR",
}


def find_nvidia_library(name: str, subfolders: tuple[str, ...]) -> str | None:
    """``lib<name>.so*`` from NVIDIA's pip wheels (``nvidia/<subfolder>/``, which PyTorch's
    CUDA wheels bring), else the system's (``ctypes.util.find_library``); None if neither."""
    try:
        import nvidia  # type: ignore[import-not-found, unused-ignore]

        for root in list(nvidia.__path__):
            for sub in subfolders:
                folder = os.path.join(root, sub)
                if os.path.isdir(folder):
                    for file in sorted(os.listdir(folder)):
                        if file.startswith(f"lib{name}.so"):
                            return os.path.join(folder, file)
    except ImportError:
        pass
    return ctypes.util.find_library(name)


def _library_path() -> str:
    """libcublas.so.13 from the nvidia-cublas wheel (PyTorch brings it) or the system."""
    found = find_nvidia_library("cublas", ("cu13/lib", "cublas/lib"))
    if found is None:
        raise DeviceError("Cuda: cuBLAS (libcublas.so) was not found")
    return found


class Cublas:
    """One cuBLAS handle, bound to the current context and the default stream."""

    def __init__(self) -> None:
        self.lib = ctypes.CDLL(_library_path())
        self.handle = ctypes.c_void_p()
        self._check("cublasCreate", self.lib.cublasCreate_v2(ctypes.byref(self.handle)))
        for name in ("cublasSgemm_v2", "cublasDgemm_v2"):
            # handle, transa, transb, m, n, k, *alpha, A, lda, B, ldb, *beta, C, ldc
            getattr(self.lib, name).argtypes = (
                [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
                + [ctypes.c_int] * 3
                + [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
                + [ctypes.c_void_p, ctypes.c_int]
                + [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
            )
        for name in ("cublasSgemmStridedBatched", "cublasDgemmStridedBatched"):
            getattr(self.lib, name).argtypes = (
                [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
                + [ctypes.c_int] * 3
                + [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_longlong]
                + [ctypes.c_void_p, ctypes.c_int, ctypes.c_longlong]
                + [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_longlong]
                + [ctypes.c_int]
            )
        # handle, transa, transb, m, n, k, *alpha, A, Atype, lda, B, Btype, ldb, *beta,
        # C, Ctype, ldc (each matrix with its stride when batched), [batch], compute, algo
        matrix: list[Any] = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        self.lib.cublasGemmEx.argtypes = (
            [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
            + [ctypes.c_int] * 3
            + [ctypes.c_void_p, *matrix, *matrix, ctypes.c_void_p, *matrix]
            + [ctypes.c_int, ctypes.c_int]
        )
        strided = [*matrix, ctypes.c_longlong]
        self.lib.cublasGemmStridedBatchedEx.argtypes = (
            [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
            + [ctypes.c_int] * 3
            + [ctypes.c_void_p, *strided, *strided, ctypes.c_void_p, *strided]
            + [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        )
        self.tf32 = False
        # what every call passes, made once: the functions and the scalars 1 and 0
        self._gemm = {"f32": self.lib.cublasSgemm_v2, "f64": self.lib.cublasDgemm_v2}
        self._batched = {
            "f32": self.lib.cublasSgemmStridedBatched,
            "f64": self.lib.cublasDgemmStridedBatched,
        }
        self._scalar = {"f32": ctypes.c_float, "f64": ctypes.c_double}
        self._one = {k: ctypes.byref(t(1.0)) for k, t in self._scalar.items()}
        self._zero = {k: ctypes.byref(t(0.0)) for k, t in self._scalar.items()}

    def set_tf32(self, enabled: bool) -> None:
        """f32 GEMMs on tensor cores in TF32 (10-bit mantissa products), or exact f32."""
        mode = _TF32_TENSOR_OP_MATH if enabled else _DEFAULT_MATH
        self._check("cublasSetMathMode", self.lib.cublasSetMathMode(self.handle, mode))
        self.tf32 = enabled

    def gemm(
        self,
        dtype: str,
        m: int,
        n: int,
        k: int,
        a: int,
        trans_a: bool,
        b: int,
        trans_b: bool,
        c: int,
        beta: float = 0.0,
        batch: int = 1,
        stride_a: int = 0,
        stride_b: int = 0,
        stride_c: int = 0,
        c_dtype: str | None = None,
    ) -> None:
        """Row-major ``C (m, n) = op(A) (m, k) @ op(B) (k, n) [+ beta C]``, ``batch`` times.

        ``A`` is stored ``(k, m)`` when ``trans_a`` else ``(m, k)``; likewise ``B``. Pointers are
        device addresses; strides (in elements) step from one batch item to the next. ``dtype``
        is the kernel suffix of the storage: f32, f64, or f16 and bf16 (summed in f32). ``C``
        is of that dtype too, or of ``c_dtype`` ("f32" with half ``A`` and ``B``).
        """
        lda = m if trans_a else k
        ldb = k if trans_b else n
        op_a = _OP_T if trans_a else _OP_N
        op_b = _OP_T if trans_b else _OP_N
        if dtype in ("f16", "bf16"):
            types = (_DATA_TYPE[dtype], _DATA_TYPE[c_dtype or dtype])
            self._gemm_half(types, op_a, op_b, m, n, k, a, lda, b, ldb, c, beta, batch,
                            stride_a, stride_b, stride_c)  # fmt: skip
            return
        if dtype not in ("f32", "f64") or c_dtype not in (None, dtype):
            raise DeviceError(f"Cuda: matmul in {dtype} is not supported by this cuBLAS path")
        one = self._one[dtype]
        beta_p = self._zero[dtype] if beta == 0.0 else ctypes.byref(self._scalar[dtype](beta))
        if batch == 1:
            status = self._gemm[dtype](
                self.handle, op_b, op_a, n, m, k, one, b, ldb, a, lda, beta_p, c, n,
            )  # fmt: skip
        else:
            status = self._batched[dtype](
                self.handle, op_b, op_a, n, m, k, one,
                b, ldb, stride_b, a, lda, stride_a, beta_p, c, n, stride_c, batch,
            )  # fmt: skip
        if status:
            self._check("gemm", status)

    def _gemm_half(self, types: tuple[int, int], op_a: int, op_b: int, m: int, n: int, k: int,
                   a: int, lda: int, b: int, ldb: int, c: int, beta: float, batch: int,
                   stride_a: int, stride_b: int, stride_c: int) -> None:  # fmt: skip
        """``gemm`` of half ``A`` and ``B`` in f32; ``types``: the cudaDataType of ``A`` and
        ``B``, and of ``C``."""
        kind, c_kind = types
        one = self._one["f32"]
        beta_p = self._zero["f32"] if beta == 0.0 else ctypes.byref(ctypes.c_float(beta))
        if batch == 1:
            status = self.lib.cublasGemmEx(
                self.handle, op_b, op_a, n, m, k, one,
                b, kind, ldb, a, kind, lda, beta_p, c, c_kind, n,
                _COMPUTE_32F, _GEMM_DEFAULT,
            )  # fmt: skip
        else:
            status = self.lib.cublasGemmStridedBatchedEx(
                self.handle, op_b, op_a, n, m, k, one,
                b, kind, ldb, stride_b, a, kind, lda, stride_a, beta_p,
                c, c_kind, n, stride_c, batch, _COMPUTE_32F, _GEMM_DEFAULT,
            )  # fmt: skip
        if status:
            self._check("gemm", status)

    def _check(self, what: str, status: Any) -> None:
        if status != 0:
            raise DeviceError(f"Cuda: cuBLAS {what} failed: {_STATUS.get(status, status)}")
