"""NCCL through ctypes: all-reduce and broadcast on the GPU buffers of ``Cuda`` tensors.

``libnccl.so.2`` comes from the ``nvidia-nccl-cu13`` (or ``-cu12``) wheel that PyTorch brings
(``nvidia/nccl/lib`` under site-packages, found from ``nvidia.__path__`` as cuBLAS is), from
``DFDX_NCCL_LIBRARY``, or from the system's library path. One process drives one GPU: the
communicator is bound to the device whose context is current (``Cuda(local_rank)``), and the
collectives run on the stream the kernels use (the default stream), so they are ordered after
the backward pass's kernels and before the optimizer's with no synchronisation.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

from dfdx_py.devices.cuda.cublas import find_nvidia_library
from dfdx_py.distributed.env import DistributedError

LIBRARY_VARIABLE = "DFDX_NCCL_LIBRARY"
UNIQUE_ID_BYTES = 128

_SUM, _AVG = 0, 4  # ncclRedOp_t: ncclSum, ncclAvg (NCCL 2.10 and later)
_DATA_TYPE = {  # numpy storage dtype name -> ncclDataType_t
    "int8": 0,
    "uint8": 1,
    "bool": 1,  # one byte, broadcast only
    "int32": 2,
    "int64": 4,
    "float16": 6,
    "float32": 7,
    "float64": 8,
    "bfloat16": 9,
}
_RESULT = {
    1: "ncclUnhandledCudaError",
    2: "ncclSystemError",
    3: "ncclInternalError",
    4: "ncclInvalidArgument",
    5: "ncclInvalidUsage",
    6: "ncclRemoteError",
    7: "ncclInProgress",
}


class UniqueId(ctypes.Structure):
    """``ncclUniqueId``: 128 opaque bytes that rank 0 makes and every rank needs."""

    _fields_ = (("internal", ctypes.c_ubyte * UNIQUE_ID_BYTES),)


def library_path() -> str:
    """Where ``libnccl.so.2`` is: ``DFDX_NCCL_LIBRARY``, the nvidia-nccl wheel, the system.
    ``DistributedError`` when there is none."""
    explicit = os.environ.get(LIBRARY_VARIABLE)
    if explicit:
        return explicit
    found = find_nvidia_library("nccl", ("nccl/lib", "cu13/lib", "cu12/lib"))
    if found is None:
        raise DistributedError(
            "the nccl backend needs libnccl.so.2: pip install nvidia-nccl-cu13 (PyTorch's CUDA "
            f"wheels bring it), or set {LIBRARY_VARIABLE} to its path"
        )
    return found


class Nccl:
    """The NCCL library, its functions typed for ctypes; every call is checked."""

    def __init__(self, path: str | None = None) -> None:
        path = path or library_path()
        try:
            self.lib = ctypes.CDLL(path)
        except OSError as e:
            raise DistributedError(f"could not load NCCL from {path}: {e}") from None
        lib = self.lib
        ptr, size, i32 = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int
        lib.ncclGetErrorString.restype = ctypes.c_char_p
        lib.ncclGetErrorString.argtypes = (i32,)
        self._last_error = getattr(lib, "ncclGetLastError", None)  # NCCL 2.13 and later
        if self._last_error is not None:
            self._last_error.restype = ctypes.c_char_p
            self._last_error.argtypes = (ptr,)
        typed = {
            "ncclGetVersion": (ctypes.POINTER(i32),),
            "ncclGetUniqueId": (ctypes.POINTER(UniqueId),),
            "ncclCommInitRank": (ctypes.POINTER(ptr), i32, UniqueId, i32),
            "ncclCommDestroy": (ptr,),
            "ncclCommAbort": (ptr,),
            "ncclCommCuDevice": (ptr, ctypes.POINTER(i32)),
            "ncclAllReduce": (ptr, ptr, size, i32, i32, ptr, ptr),
            "ncclBroadcast": (ptr, ptr, size, i32, i32, ptr, ptr),
            "ncclGroupStart": (),
            "ncclGroupEnd": (),
        }
        for name, argtypes in typed.items():
            fn = getattr(lib, name)
            fn.restype = i32
            fn.argtypes = argtypes
        version = ctypes.c_int()
        self.check("ncclGetVersion", lib.ncclGetVersion(ctypes.byref(version)))
        self.version = version.value  # 22703 for 2.27.3
        if self.version < 21000:
            raise DistributedError(f"NCCL {self.version_text} is too old: dfdx_py needs 2.10+")

    @property
    def version_text(self) -> str:
        """``"2.27.3"``."""
        v = self.version
        return f"{v // 10000}.{v // 100 % 100}.{v % 100}"

    def check(self, what: str, result: int, comm: Any = None) -> None:
        """``DistributedError`` naming ``what`` and NCCL's reason unless ``result`` is 0."""
        if result == 0:
            return
        reason = (self.lib.ncclGetErrorString(result) or b"").decode(errors="replace")
        if comm is not None and self._last_error is not None:
            detail = (self._last_error(comm) or b"").decode(errors="replace")
            if detail:
                reason = f"{reason}: {detail}"
        name = _RESULT.get(result, f"error {result}")
        raise DistributedError(f"NCCL {what} failed ({name}): {reason}")

    def unique_id(self) -> bytes:
        """A new ``ncclUniqueId`` (rank 0 makes it; the others receive it)."""
        uid = UniqueId()
        self.check("ncclGetUniqueId", self.lib.ncclGetUniqueId(ctypes.byref(uid)))
        return bytes(uid)


class Communicator:
    """One rank's NCCL communicator on the GPU whose context is current (what PyTorch's
    ``ProcessGroupNCCL`` holds per device)."""

    def __init__(self, nccl: Nccl, unique_id: bytes, rank: int, world_size: int) -> None:
        if len(unique_id) != UNIQUE_ID_BYTES:
            raise DistributedError(f"an ncclUniqueId has 128 bytes, got {len(unique_id)}")
        self.nccl = nccl
        self.rank = rank
        self.world_size = world_size
        handle = ctypes.c_void_p()
        uid = UniqueId.from_buffer_copy(unique_id)
        nccl.check(
            f"ncclCommInitRank (rank {rank} of {world_size})",
            nccl.lib.ncclCommInitRank(ctypes.byref(handle), world_size, uid, rank),
        )
        self.handle: ctypes.c_void_p | None = handle

    @property
    def device(self) -> int:
        """The CUDA ordinal this communicator runs on."""
        ordinal = ctypes.c_int()
        self.nccl.check(
            "ncclCommCuDevice",
            self.nccl.lib.ncclCommCuDevice(self._live(), ctypes.byref(ordinal)),
            self.handle,
        )
        return ordinal.value

    def _live(self) -> ctypes.c_void_p:
        if self.handle is None:
            raise DistributedError("the NCCL communicator was destroyed (shutdown())")
        return self.handle

    def all_reduce(self, send: int, recv: int, count: int, dtype: str, average: bool) -> None:
        """Sum (or average) ``count`` elements at device address ``send`` over the ranks into
        ``recv`` (the same address reduces in place), on the default stream."""
        self.nccl.check(
            "ncclAllReduce",
            self.nccl.lib.ncclAllReduce(
                send, recv, count, _data_type(dtype), _AVG if average else _SUM, self._live(), None
            ),
            self.handle,
        )

    def broadcast(self, send: int, recv: int, count: int, dtype: str, root: int) -> None:
        """Copy rank ``root``'s ``count`` elements at ``send`` into ``recv`` on every rank."""
        self.nccl.check(
            "ncclBroadcast",
            self.nccl.lib.ncclBroadcast(
                send, recv, count, _data_type(dtype), root, self._live(), None
            ),
            self.handle,
        )

    def group_start(self) -> None:
        """Begin a group: the collectives until ``group_end`` launch as one."""
        self.nccl.check("ncclGroupStart", self.nccl.lib.ncclGroupStart())

    def group_end(self) -> None:
        """Launch the collectives issued since ``group_start``."""
        self.nccl.check("ncclGroupEnd", self.nccl.lib.ncclGroupEnd(), self.handle)

    def destroy(self, abort: bool = False) -> None:
        """Free the communicator (``ncclCommAbort`` also stops collectives in flight)."""
        if self.handle is None:
            return
        handle, self.handle = self.handle, None
        fn = self.nccl.lib.ncclCommAbort if abort else self.nccl.lib.ncclCommDestroy
        self.nccl.check("ncclCommAbort" if abort else "ncclCommDestroy", fn(handle))


def _data_type(dtype: str) -> int:
    try:
        return _DATA_TYPE[dtype]
    except KeyError:
        raise DistributedError(f"NCCL has no data type for {dtype} buffers") from None
