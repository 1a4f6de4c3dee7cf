"""DLPack: tensors handed to and taken from PyTorch, JAX, CuPy or NumPy without a copy.

Export: a tensor has ``__dlpack__`` and ``__dlpack_device__``, so ``torch.from_dlpack(t)``,
``np.from_dlpack(t)``, ``jax.dlpack.from_dlpack(t)`` or ``cupy.from_dlpack(t)`` see its
memory. Import: ``dfdx.from_dlpack(x)`` takes any ``x`` with ``__dlpack__`` (or a DLPack
capsule) and returns an untraced tensor on the memory of ``x``. Writes through either side
show in the other: dfdx_py never writes into a tensor's storage, but the other library may.

- **Cpu**: numpy speaks DLPack, so numpy does the exchange (strides, read-only flags and
  version negotiation included). bf16, which numpy cannot export, goes through the builder
  below with device type CPU. Read-only Cpu storage (a broadcast view) is exported as a copy
  to a consumer that cannot be told it is read-only (DLPack before 1.0).
- **Cuda**: ``make_capsule`` describes a ``CudaArray`` with the ctypes structs of dlpack.h
  (``kDLCUDA``, the device's ordinal, C-contiguous strides); the capsule keeps the storage
  alive until the consumer calls the deleter (or the capsule is dropped unconsumed).
  Imported memory becomes a ``CudaArray`` whose block holds the producer's
  ``DLManagedTensor`` and calls its deleter when the last storage using it goes.
  Cuda storage has no strides, so a non-contiguous import is copied (``strided_copy``, then
  the producer is released); everything else is zero-copy. Kernels run on the legacy
  default stream: an export to a consumer on another stream synchronizes the device first,
  an import asks the producer for stream 1 (the legacy default stream).

Dtypes: f16, bf16, f32, f64, i64 and bool (DLPack's ``kDLBool``). The capsules built here
are DLPack 0.x ("dltensor"), which every consumer accepts.
"""

from __future__ import annotations

import ctypes
import math
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from dfdx_py.devices.cuda.allocator import Block
from dfdx_py.dtypes import DType, bf16, bool_, f16, f32, f64, i64
from dfdx_py.errors import DeviceError, DTypeError

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device
    from dfdx_py.devices.cuda.storage import CudaArray
    from dfdx_py.tensor import Tensor
    from dfdx_py.type_vars import D

CPU = 1
"""``kDLCPU``."""
CUDA = 2
"""``kDLCUDA``."""
DEVICE_NAMES = {1: "CPU", 2: "CUDA", 3: "CUDA host", 4: "OpenCL", 7: "Vulkan", 8: "Metal",
                10: "ROCm", 13: "CUDA managed", 14: "oneAPI"}  # fmt: skip

KDL_INT, KDL_FLOAT, KDL_BFLOAT, KDL_BOOL = 0, 2, 4, 6
DTYPES: dict[tuple[int, int], type[DType]] = {
    (KDL_FLOAT, 16): f16,
    (KDL_BFLOAT, 16): bf16,
    (KDL_FLOAT, 32): f32,
    (KDL_FLOAT, 64): f64,
    (KDL_INT, 64): i64,
    (KDL_BOOL, 8): bool_,
}
"""DLPack's ``(code, bits)`` (one lane) of each dtype."""
CODES = {d: code for code, d in DTYPES.items()}


# -- the structs of dlpack.h ------------------------------------------------------------------


class DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class DLTensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device", DLDevice),
        ("ndim", ctypes.c_int32),
        ("dtype", DLDataType),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),  # in elements; NULL: C-contiguous
        ("byte_offset", ctypes.c_uint64),
    ]


class DLManagedTensor(ctypes.Structure):
    _fields_ = [
        ("dl_tensor", DLTensor),
        ("manager_ctx", ctypes.c_void_p),
        ("deleter", ctypes.c_void_p),  # void (*)(DLManagedTensor *), may be NULL
    ]


DELETER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
"""``void deleter(DLManagedTensor *)``: called by the consumer when done with the tensor."""

_NAME = b"dltensor"
_USED_NAME = b"used_dltensor"  # a consumer renames the capsule it took: the deleter is its job


def _capi(name: str, restype: Any, *argtypes: Any) -> Any:
    """A CPython C-API function with our own prototype (``ctypes.pythonapi`` is shared)."""
    return ctypes.PYFUNCTYPE(restype, *argtypes)((name, ctypes.pythonapi))


_capsule_is_valid = _capi("PyCapsule_IsValid", ctypes.c_int, ctypes.py_object, ctypes.c_char_p)
_capsule_get_pointer = _capi("PyCapsule_GetPointer", ctypes.c_void_p, ctypes.py_object,
                             ctypes.c_char_p)  # fmt: skip
_capsule_set_name = _capi("PyCapsule_SetName", ctypes.c_int, ctypes.py_object, ctypes.c_char_p)
_capsule_set_destructor = _capi("PyCapsule_SetDestructor", ctypes.c_int, ctypes.py_object,
                                ctypes.c_void_p)  # fmt: skip


def is_capsule(obj: Any) -> bool:
    return type(obj).__name__ == "PyCapsule"


# -- export: a capsule around our storage ------------------------------------------------------


_ONE_BYTE = np.zeros(1, np.uint8)
_LIVE: weakref.WeakSet[_Owner] = weakref.WeakSet()


class _Owner:
    """What a capsule of ours keeps alive: NumPy's ``DLManagedTensor`` holds (as its
    ``manager_ctx``) a placeholder numpy array whose base is this, and this holds the storage."""

    __slots__ = ("__array_interface__", "__weakref__", "storage")

    def __init__(self, storage: Any, ndim: int) -> None:
        self.storage = storage
        self.__array_interface__ = {  # a placeholder of rank ndim on one byte
            "version": 3,
            "shape": (1,) * ndim,
            "strides": (0,) * ndim,
            "typestr": "|u1",
            "data": (_ONE_BYTE.ctypes.data, False),
        }
        _LIVE.add(self)


def live_exports() -> int:
    """How many exported capsules still hold storage (their deleter has not run)."""
    return len(_LIVE)


def make_capsule(
    ptr: int,
    shape: tuple[int, ...],
    strides: tuple[int, ...],
    dtype: type[DType],
    device: tuple[int, int],
    owner: Any,
) -> Any:
    """A "dltensor" capsule for ``dtype`` elements at ``ptr`` with element ``strides`` on
    DLPack ``device`` (``(CPU, 0)``, ``(CUDA, ordinal)``); ``owner`` stays alive until the
    consumer calls the deleter (or the capsule is dropped unconsumed).

    NumPy allocates the ``DLManagedTensor`` (exporting a placeholder array of the same
    rank) and we fill in the tensor's description: its deleter and the capsule's destructor
    are then NumPy's C functions, which read only their own ``manager_ctx`` and are safe where
    a ctypes callback is not (called with an exception in flight, by a consumer that failed,
    or while Python unwinds a stack; from any thread; at interpreter exit).
    """
    capsule = np.asarray(_Owner(owner, len(shape))).__dlpack__()
    managed = DLManagedTensor.from_address(_capsule_get_pointer(capsule, _NAME))
    t = managed.dl_tensor
    if t.ndim != len(shape) or (shape and not (t.shape and t.strides)):
        raise BufferError("__dlpack__: NumPy's placeholder capsule has no room for our shape")
    code, bits = CODES[dtype]
    t.data = ptr or None
    t.device = DLDevice(*device)
    t.dtype = DLDataType(code, bits, 1)
    t.byte_offset = 0
    for i, (d, s) in enumerate(zip(shape, strides, strict=True)):
        t.shape[i] = d
        t.strides[i] = s
    return capsule


# -- import: a capsule's tensor ------------------------------------------------------------------


class Producer:
    """The producer's ``DLManagedTensor``: its deleter runs once, when this is released or
    garbage collected."""

    __slots__ = ("managed",)

    def __init__(self, managed: int) -> None:
        self.managed = managed

    def release(self) -> None:
        managed, self.managed = self.managed, 0
        if managed:
            deleter = DLManagedTensor.from_address(managed).deleter
            if deleter:
                DELETER(deleter)(managed)

    def __del__(self) -> None:
        self.release()


@dataclass
class DLArray:
    """A consumed capsule's tensor: element ``strides`` (filled in when the producer left
    them NULL), ``ptr`` with the byte offset applied, and the producer to release."""

    ptr: int
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    dtype: type[DType]
    device: tuple[int, int]
    producer: Producer

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def contiguous(self) -> bool:
        """C-contiguous (strides of dims of size 1 do not matter)."""
        return (
            all(
                s == c
                for d, s, c in zip(self.shape, self.strides, _c_strides(self.shape), strict=True)
                if d > 1
            )
            or self.size == 0
        )

    def span(self) -> tuple[int, int]:
        """The lowest and highest element offsets from ``ptr`` (strides may be negative)."""
        lo = sum(min(0, (d - 1) * s) for d, s in zip(self.shape, self.strides, strict=True))
        hi = sum(max(0, (d - 1) * s) for d, s in zip(self.shape, self.strides, strict=True))
        return lo, hi


def unpack(capsule: Any) -> DLArray:
    """Consume a "dltensor" capsule (renamed "used_dltensor"; its deleter is ours to call)."""
    if not is_capsule(capsule) or not _capsule_is_valid(capsule, _NAME):
        raise BufferError(
            "from_dlpack: not an unconsumed DLPack capsule (named 'dltensor'); a capsule can "
            "be consumed once"
        )
    managed = _capsule_get_pointer(capsule, _NAME)
    _capsule_set_name(capsule, _USED_NAME)
    _capsule_set_destructor(capsule, None)  # as PyTorch does: the deleter is ours to call
    producer = Producer(managed)
    t = DLManagedTensor.from_address(managed).dl_tensor
    shape = tuple(int(t.shape[i]) for i in range(t.ndim))
    strides = tuple(int(t.strides[i]) for i in range(t.ndim)) if t.strides else _c_strides(shape)
    code, bits, lanes = t.dtype.code, t.dtype.bits, t.dtype.lanes
    dtype = DTYPES.get((code, bits))
    if dtype is None or lanes != 1:
        producer.release()
        kind = {0: "int", 1: "uint", 2: "float", 3: "opaque", 4: "bfloat", 5: "complex"}
        name = f"{kind.get(code, f'code {code} ')}{bits}" + (f" x{lanes}" if lanes != 1 else "")
        raise DTypeError(
            f"from_dlpack: {name} elements have no dfdx_py dtype (f16, bf16, f32, f64, i64, "
            "bool); convert them first (e.g. x.to(torch.float32))"
        )
    ptr = (t.data or 0) + t.byte_offset
    device = (int(t.device.device_type), int(t.device.device_id))
    return DLArray(ptr, shape, strides, dtype, device, producer)


def _c_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    strides, step = [], 1
    for d in reversed(shape):
        strides.append(step)
        step *= max(d, 1)
    return tuple(reversed(strides))


class _HostView:
    """Producer memory on the host seen by numpy (``__array_interface__``); numpy keeps it,
    and so the producer, alive as the array's base."""

    def __init__(self, array: DLArray) -> None:
        itemsize = array.dtype.numpy.itemsize
        self.producer = array.producer
        self.__array_interface__ = {
            "version": 3,
            "shape": array.shape,
            "strides": tuple(s * itemsize for s in array.strides),
            "typestr": f"<u{itemsize}",
            "data": (array.ptr, False),
        }


def host_array(array: DLArray) -> np.ndarray[Any, Any]:
    """A numpy array on the host memory of ``array`` (no copy)."""
    if array.size == 0:
        array.producer.release()
        return np.empty(array.shape, array.dtype.numpy)
    return np.asarray(_HostView(array)).view(array.dtype.numpy)


class ImportedBlock(Block):
    """Device memory of another library: no allocator takes it back; when the last storage
    using it goes, its ``producer`` is released (the producer's deleter frees it)."""

    __slots__ = ("producer",)

    def __init__(self, ptr: int, producer: Producer) -> None:  # no Block.__init__: no allocator
        self.ptr = ptr
        self.size = 0
        self.producer = producer


def cuda_storage(array: DLArray, ctx: Any) -> CudaArray:
    """A ``CudaArray`` on the device memory of ``array``: the same memory when it is
    C-contiguous and 16-byte aligned (the elementwise kernels load 16 bytes at a time; a
    PyTorch view with a storage offset may not be), else a contiguous copy (the producer
    released once the copy is done)."""
    from dfdx_py.devices.cuda.layout import strided_copy
    from dfdx_py.devices.cuda.storage import CudaArray

    dtype = array.dtype.numpy
    if array.size == 0:
        array.producer.release()
        return ctx.empty(array.shape, dtype)  # type: ignore[no-any-return]
    aligned = array.ptr % 16 == 0
    if array.contiguous and aligned:
        return CudaArray(ctx, ImportedBlock(array.ptr, array.producer), array.shape, dtype)
    if array.dtype in (f16, bf16):
        array.producer.release()
        why = f"strides {array.strides}" if not array.contiguous else "not 16-byte aligned"
        raise DeviceError(
            f"from_dlpack: a {array.dtype} Cuda tensor that needs a copy ({why}) cannot be "
            "copied here yet; pass a contiguous, freshly allocated tensor (x.contiguous())"
        )
    lo, hi = array.span()
    block = ImportedBlock(array.ptr + lo * dtype.itemsize, array.producer)
    source = CudaArray(ctx, block, (hi - lo + 1,), dtype)
    wrapped = tuple(s % 2**64 for s in array.strides)  # size_t arithmetic wraps back
    out = strided_copy(source, array.shape, wrapped, offset=-lo)
    ctx.synchronize()  # the copy has read the producer's memory before we let it go
    return out


# -- the Tensor methods and from_dlpack ----------------------------------------------------------


def dlpack_device(t: Tensor[Any, Any, Any]) -> tuple[int, int]:
    """``(CPU, 0)`` or ``(CUDA, ordinal)``: ``Tensor.__dlpack_device__``."""
    if t.device.kind == "cpu":
        return (CPU, 0)
    if t.device.kind == "cuda":
        return (CUDA, int(getattr(t.device, "ordinal", 0)))
    raise BufferError(f"__dlpack__: no DLPack device for {t.device!r}")


def to_dlpack(
    t: Tensor[Any, Any, Any],
    stream: Any = None,
    max_version: tuple[int, int] | None = None,
    dl_device: tuple[int, int] | None = None,
    copy: bool | None = None,
) -> Any:
    """``Tensor.__dlpack__``: a DLPack capsule on the tensor's memory (see the module
    docstring). ``copy=True`` exports a copy; ``copy=False`` refuses to copy."""
    device = dlpack_device(t)
    if dl_device is not None and tuple(dl_device) != device:
        raise BufferError(
            f"__dlpack__: the tensor is on DLPack device {device}; exporting it to "
            f"{tuple(dl_device)} would need a copy across devices: use t.to(dev) first"
        )
    if device[0] == CPU:
        return _export_cpu(t, stream, max_version, copy)
    return _export_cuda(t, stream, copy)


def _export_cpu(
    t: Tensor[Any, Any, Any], stream: Any, max_version: tuple[int, int] | None, copy: bool | None
) -> Any:
    if stream is not None:
        raise BufferError(f"__dlpack__: a Cpu tensor takes stream=None, got {stream!r}")
    array: np.ndarray[Any, Any] = np.asarray(t._data)
    builder = t.dtype is bf16  # numpy cannot export bf16: our builder does
    flag_read_only = max_version is not None and max_version[0] >= 1 and not builder
    if copy or (not array.flags.writeable and not flag_read_only):
        if copy is False:
            raise BufferError(
                "__dlpack__: this tensor's storage is read-only (a broadcast view) and the "
                "consumer cannot be told so (DLPack < 1.0): it needs copy=None or copy=True"
            )
        array = array.copy()
    if builder:
        if any(s % array.itemsize for s in array.strides):
            array = array.copy()
        strides = tuple(s // array.itemsize for s in array.strides)
        return make_capsule(array.ctypes.data, array.shape, strides, t.dtype, (CPU, 0), array)
    if max_version is not None:
        try:
            return array.__dlpack__(max_version=max_version)
        except TypeError:  # numpy < 2.1 knows only DLPack 0.x
            pass
    return array.__dlpack__()


def _export_cuda(t: Tensor[Any, Any, Any], stream: Any, copy: bool | None) -> Any:
    from dfdx_py.devices.cuda.layout import contiguous_strides, strided_copy

    data: CudaArray = t._data
    strides = contiguous_strides(data.shape)
    if copy:
        if t.dtype in (f16, bf16):
            raise BufferError(f"__dlpack__: copy=True is not supported for {t.dtype} Cuda tensors")
        data = strided_copy(data, data.shape, strides)
    if stream is not None and stream not in (-1, 1):
        data.ctx.synchronize()  # the consumer's stream may not wait for our default stream
    return make_capsule(data.ptr, data.shape, strides, t.dtype, (CUDA, data.ctx.ordinal), data)


@overload
def from_dlpack(obj: Any) -> Tensor[Any, Any, Any]: ...
@overload
def from_dlpack(obj: Any, device: D) -> Tensor[Any, Any, D]: ...
def from_dlpack(obj: Any, device: Device | None = None) -> Tensor[Any, Any, Any]:
    """A tensor on the memory of ``obj``, without a copy: ``torch.from_dlpack`` the other way.

    ``obj`` is anything with ``__dlpack__`` (a torch, JAX or CuPy tensor, a numpy array,
    a dfdx_py tensor) or a DLPack capsule. CPU memory gives a ``Cpu`` tensor, CUDA memory a
    ``Cuda`` tensor of the same GPU; ``device`` names that device (``DeviceError`` if the
    memory is elsewhere: use ``from_dlpack(x).to(dev)`` to move). The result is untraced and
    shares memory with ``obj``, except a non-contiguous CUDA tensor, which is copied (Cuda
    storage has no strides)::

        x = torch.arange(6.0).reshape(2, 3)
        t = dfdx.from_dlpack(x)          # Tensor (2, 3), f32, Cpu: x's memory
        x[0, 0] = 7.0                    # t.numpy()[0, 0] == 7.0
    """
    from dfdx_py.tensor import wrap

    if is_capsule(obj):
        array = unpack(obj)
        kind, ordinal = array.device
    elif hasattr(obj, "__dlpack__") and hasattr(obj, "__dlpack_device__"):
        array = None
        kind, ordinal = (int(v) for v in obj.__dlpack_device__())
    else:
        raise TypeError(
            f"from_dlpack: expected an object with __dlpack__ (a torch, JAX or CuPy tensor, a "
            f"numpy array) or a DLPack capsule, got {type(obj).__name__}"
        )
    target = _target_device(kind, ordinal, device)
    if kind == CPU:
        host = host_array(array) if array is not None else _import_host(obj)
        return wrap(host, _dtype_of(host.dtype), target)
    if array is None:
        array = unpack(obj.__dlpack__(stream=1))  # our kernels run on the legacy default stream
    return wrap(cuda_storage(array, target.ctx), array.dtype, target)


def _import_host(obj: Any) -> np.ndarray[Any, Any]:
    """CPU memory through numpy (it negotiates versions and read-only flags); bf16, which
    numpy cannot take, through ``unpack``."""
    try:
        return np.from_dlpack(obj)
    except (RuntimeError, BufferError):  # "Unsupported dtype in DLTensor" (bf16)
        return host_array(unpack(obj.__dlpack__()))


def _dtype_of(dtype: np.dtype[Any]) -> type[DType]:
    for d in DTYPES.values():
        if d.numpy == dtype:
            return d
    raise DTypeError(
        f"from_dlpack: {dtype} elements have no dfdx_py dtype (f16, bf16, f32, f64, i64, "
        "bool); convert them first (e.g. x.to(torch.float32))"
    )


def _target_device(kind: int, ordinal: int, device: Device | None) -> Any:
    """The device the imported tensor lives on; ``DeviceError`` unless the memory is there."""
    where = f"{DEVICE_NAMES.get(kind, f'DLPack device type {kind}')} memory"
    if kind == CPU:
        if device is None:
            from dfdx_py.devices.cpu import Cpu

            return Cpu()
        if device.kind == "cpu":
            return device
    elif kind == CUDA:
        if device is None:
            from dfdx_py.devices.cuda import Cuda

            return Cuda(ordinal)
        if device.kind == "cuda" and getattr(device, "ordinal", None) == ordinal:
            return device
        where += f" of GPU {ordinal}"
    else:
        raise DeviceError(f"from_dlpack: {where}; dfdx_py takes CPU and CUDA memory")
    raise DeviceError(
        f"from_dlpack: the tensor is in {where}, not on {device!r}; from_dlpack never copies "
        "across devices: use dfdx.from_dlpack(x).to(dev)"
    )
