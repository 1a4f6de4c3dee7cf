"""DLPack: tensors to and from PyTorch and NumPy without a copy, every dtype.

Writes through one side show in the other (the proof of no copy). The ctypes structs of
``dfdx_py.dlpack`` are checked against PyTorch on the CPU (the same builder makes the CUDA
capsules, with another device type); the Cuda path runs on the ``dev`` fixture (on the
emulator: our capsule through our own ``from_dlpack``; PyTorch on a real GPU only).
"""

from __future__ import annotations

import gc
from typing import Any

import numpy as np
import pytest
import torch

import dfdx_py as dfdx
from dfdx_py import dlpack
from dfdx_py.devices.base import Device
from dfdx_py.devices.cuda.layout import contiguous_strides

DTYPES = [dfdx.f32, dfdx.f64, dfdx.i64, dfdx.bool_, dfdx.f16, dfdx.bf16]
IDS = [d.__name__ for d in DTYPES]
TORCH = {
    dfdx.f32: torch.float32,
    dfdx.f64: torch.float64,
    dfdx.i64: torch.int64,
    dfdx.bool_: torch.bool,
    dfdx.f16: torch.float16,
    dfdx.bf16: torch.bfloat16,
}


def values(dtype: type[dfdx.DType], shape: tuple[int, ...] = (2, 3)) -> np.ndarray[Any, Any]:
    """0, 1, 2, ... (alternating for bool) as ``dtype``."""
    n = int(np.prod(shape))
    x = np.arange(n) % 2 if dtype is dfdx.bool_ else np.arange(n)
    return x.reshape(shape).astype(dtype.numpy)


def address(t: dfdx.Tensor[Any, Any, Any]) -> int:
    data = t._data
    return int(data.ctypes.data) if isinstance(data, np.ndarray) else int(data.ptr)


@pytest.fixture(autouse=True)
def no_leaked_exports():
    """Every capsule we export is released once its consumer (or the capsule) is gone."""
    before = dlpack.live_exports()
    yield
    if dlpack.live_exports() != before:
        gc.collect()  # an exception's traceback may hold an export in a reference cycle
    assert dlpack.live_exports() == before


# -- Cpu: PyTorch and NumPy ---------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_cpu_tensor_to_torch_shares_memory(dtype):
    t = dfdx.Cpu().tensor(values(dtype), dtype=dtype)
    x = torch.from_dlpack(t)
    assert x.dtype == TORCH[dtype] and tuple(x.shape) == (2, 3) and x.device.type == "cpu"
    assert x.data_ptr() == address(t)
    x[1, 2] = 1 if dtype is not dfdx.bool_ else False
    assert t.numpy()[1, 2] == x[1, 2].item()


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_torch_tensor_to_cpu_shares_memory(dtype):
    x = torch.from_numpy(values(dfdx.f64)).to(TORCH[dtype])
    t = dfdx.from_dlpack(x)
    assert isinstance(t.device, dfdx.Cpu) and t.dtype is dtype and t.shape == (2, 3)
    assert not t.is_traced
    assert address(t) == x.data_ptr()
    np.testing.assert_array_equal(t.numpy().astype(np.float64), x.double().numpy())
    x[0, 1] = 0
    assert t.numpy()[0, 1] == 0
    expected = x.double().numpy()
    del x  # our tensor keeps the memory alive
    np.testing.assert_array_equal(t.numpy().astype(np.float64), expected)


@pytest.mark.parametrize("dtype", [d for d in DTYPES if d is not dfdx.bf16], ids=IDS[:-1])
def test_numpy_round_trip_shares_memory(dtype):
    """NumPy has no bf16 DLPack (ml_dtypes arrays cannot be exported or imported by it)."""
    a = values(dtype)
    t = dfdx.from_dlpack(a, dfdx.Cpu())
    assert address(t) == a.ctypes.data and t.dtype is dtype
    a[0, 0] = 1
    assert t.numpy()[0, 0] == 1
    b = np.from_dlpack(t)
    assert b.ctypes.data == a.ctypes.data
    b[1, 1] = 0
    assert t.numpy()[1, 1] == 0 and a[1, 1] == 0


def test_strided_cpu_storage_goes_as_is():
    t = dfdx.Cpu().tensor(values(dfdx.f32, (3, 4))).permute((1, 0))
    x = torch.from_dlpack(t)
    np.testing.assert_array_equal(x.numpy(), t.numpy())
    back = dfdx.from_dlpack(x.T)  # a transposed torch view comes back as numpy strides
    np.testing.assert_array_equal(back.numpy(), values(dfdx.f32, (3, 4)))
    assert address(back) == x.data_ptr()


def test_read_only_storage_is_flagged_or_copied():
    t = dfdx.Cpu().tensor([1.0, 2.0]).broadcast_to((3, 2))
    assert not np.asarray(t._data).flags.writeable
    n = np.from_dlpack(t)  # DLPack 1.0: exported as read-only, no copy
    assert not n.flags.writeable and np.shares_memory(n, t._data)
    cap = t.__dlpack__()  # DLPack 0.x cannot say read-only: a copy
    assert not np.shares_memory(np.from_dlpack(_Capsule(cap)), t._data)
    with pytest.raises(BufferError, match="read-only"):
        t.__dlpack__(copy=False)


class _Capsule:
    """A capsule offered through ``__dlpack__`` (NumPy takes no bare capsules)."""

    def __init__(self, capsule: Any, device: tuple[int, int] = (1, 0)) -> None:
        self.capsule, self.device = capsule, device

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self.capsule

    def __dlpack_device__(self) -> tuple[int, int]:
        return self.device


def test_export_options():
    t = dfdx.Cpu().tensor([1.0, 2.0])
    assert t.__dlpack_device__() == (1, 0)
    copied = torch.from_dlpack(_Capsule(t.__dlpack__(copy=True)))
    assert copied.data_ptr() != address(t)
    with pytest.raises(BufferError, match="stream=None"):
        t.__dlpack__(stream=1)
    with pytest.raises(BufferError, match="copy across devices"):
        t.__dlpack__(dl_device=(2, 0))
    traced = t.trace()
    assert torch.from_dlpack(traced).data_ptr() == address(t)


def test_an_imported_tensor_is_an_ordinary_untraced_tensor():
    x = torch.tensor([1.0, -2.0, 3.0])
    t = dfdx.from_dlpack(x)
    grads = (t.trace().relu() * 2.0).sum().backward()
    np.testing.assert_array_equal(grads.get(t).numpy(), [2.0, 0.0, 2.0])


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (torch.zeros(2, dtype=torch.int32), "int32 elements have no dfdx_py dtype"),
        (torch.zeros(2, dtype=torch.uint8), "uint8 elements have no dfdx_py dtype"),
        (torch.zeros(2, dtype=torch.complex64), "complex64 elements have no dfdx_py dtype"),
    ],
)
def test_dtypes_we_lack_are_refused(x, message):
    with pytest.raises(dfdx.DTypeError, match=message):
        dfdx.from_dlpack(x)


def test_bad_inputs():
    with pytest.raises(TypeError, match="expected an object with __dlpack__"):
        dfdx.from_dlpack([1.0, 2.0])
    capsule = torch.utils.dlpack.to_dlpack(torch.zeros(2))
    dfdx.from_dlpack(capsule)
    with pytest.raises(BufferError, match="consumed once"):
        dfdx.from_dlpack(capsule)
    with pytest.raises(dfdx.DeviceError, match="never copies across devices"):
        dfdx.from_dlpack(torch.zeros(2), _FakeCuda())
    with pytest.raises(dfdx.DeviceError, match="Vulkan memory"):
        dfdx.from_dlpack(_Capsule(None, (7, 0)))


class _FakeCuda(Device):
    kind = "cuda"
    ordinal = 0


# -- our builder (any device type) against PyTorch, on the CPU ---------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_our_capsules_are_read_by_torch(dtype):
    a = values(dtype, (3, 4))
    strides = tuple(s // a.itemsize for s in a.strides)
    capsule = dlpack.make_capsule(a.ctypes.data, (4, 3), strides[::-1], dtype, (1, 0), a)
    assert dlpack.live_exports() >= 1
    x = torch.from_dlpack(capsule)  # the transpose of a, by strides
    assert x.dtype == TORCH[dtype] and tuple(x.shape) == (4, 3) and x.stride() == (1, 4)
    assert x.data_ptr() == a.ctypes.data
    np.testing.assert_array_equal(x.double().numpy(), a.T.astype(np.float64))
    x[3, 0] = 0
    assert a[0, 3] == 0


@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 1, 3)], ids=str)
def test_our_capsules_of_any_rank(shape):
    a = values(dfdx.f64, shape)
    strides = contiguous_strides(shape)
    x = torch.from_dlpack(dlpack.make_capsule(a.ctypes.data, shape, strides, dfdx.f64, (1, 0), a))
    assert tuple(x.shape) == shape
    np.testing.assert_array_equal(x.numpy(), a)


def test_an_unconsumed_capsule_releases_its_storage():
    a = np.ones(3)
    capsule = dlpack.make_capsule(a.ctypes.data, (3,), (1,), dfdx.f64, (1, 0), a)
    assert dlpack.live_exports() >= 1
    del capsule  # the autouse fixture checks the export is gone


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_torch_capsules_are_read_by_us(dtype):
    x = torch.from_numpy(values(dfdx.f64, (3, 4))).to(TORCH[dtype]).T
    array = dlpack.unpack(torch.utils.dlpack.to_dlpack(x))
    assert (array.shape, array.strides, array.dtype, array.device) == (
        (4, 3),
        (1, 4),
        dtype,
        (1, 0),
    )
    assert array.ptr == x.data_ptr() and not array.contiguous
    host = dlpack.host_array(array)
    np.testing.assert_array_equal(host.astype(np.float64), x.double().numpy())
    x[2, 1] = 0
    assert host[2, 1] == 0


def test_our_capsule_through_our_import_keeps_the_storage_alive():
    a = values(dfdx.bf16)
    t = dfdx.from_dlpack(dfdx.Cpu().tensor(a, dtype=dfdx.bf16))  # bf16: our builder both ways
    assert dlpack.live_exports() >= 1
    np.testing.assert_array_equal(t.numpy(), a)


# -- Cuda ------------------------------------------------------------------------------------


def is_cuda(dev: Device) -> bool:
    return dev.kind == "cuda"


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_round_trip_through_our_own_capsule(dev, dtype):
    t = dev.tensor(values(dtype), dtype=dtype)
    assert t.__dlpack_device__() == ((2, 0) if is_cuda(dev) else (1, 0))
    back = dfdx.from_dlpack(t, dev)
    assert back.device == dev and back.dtype is dtype and back.shape == (2, 3)
    assert address(back) == address(t) and not back.is_traced
    if is_cuda(dev) or dtype is dfdx.bf16:  # our capsule (else numpy's)
        assert dlpack.live_exports() == 1
    del t  # the import keeps the exported storage alive
    np.testing.assert_array_equal(back.numpy(), values(dtype))


@pytest.mark.parametrize("shape", [(), (0,), (7,), (2, 1, 3)], ids=str)
def test_round_trip_of_any_rank(dev, shape):
    t = dev.tensor(values(dfdx.f32, shape))
    back = dfdx.from_dlpack(t, dev)
    assert back.shape == shape
    np.testing.assert_array_equal(back.numpy(), values(dfdx.f32, shape))


@pytest.mark.parametrize("dtype", [dfdx.f32, dfdx.f64, dfdx.i64, dfdx.bool_], ids=IDS[:4])
def test_a_strided_cuda_capsule_is_copied(dev, dtype):
    if not is_cuda(dev):
        pytest.skip("Cuda storage has no strides; the Cpu keeps numpy's")
    a = values(dtype, (3, 4))
    t = dev.tensor(a)
    data = t._data
    capsule = dlpack.make_capsule(data.ptr, (4, 3), (1, 4), dtype, (2, 0), data)
    back = dfdx.from_dlpack(capsule, dev)
    assert address(back) != data.ptr
    np.testing.assert_array_equal(back.numpy(), a.T)
    item = a.itemsize
    last = data.ptr + (a.size - 1) * item  # every element backwards: negative strides
    capsule = dlpack.make_capsule(last, (3, 4), (-4, -1), dtype, (2, 0), data)
    np.testing.assert_array_equal(dfdx.from_dlpack(capsule, dev).numpy(), a[::-1, ::-1])


def test_a_strided_half_cuda_capsule_is_refused(dev):
    if not is_cuda(dev):
        pytest.skip("Cuda only")
    data = dev.tensor(values(dfdx.f16, (3, 4)), dtype=dfdx.f16)._data
    capsule = dlpack.make_capsule(data.ptr, (4, 3), (1, 4), dfdx.f16, (2, 0), data)
    with pytest.raises(dfdx.DeviceError, match=r"f16 Cuda tensor that needs a copy \(strides"):
        dfdx.from_dlpack(capsule, dev)


def test_cuda_export_options(dev):
    if not is_cuda(dev):
        pytest.skip("Cuda only")
    t = dev.tensor(values(dfdx.f32))
    for stream in (None, -1, 1, 2, 12345):  # another stream: we synchronize first
        assert address(dfdx.from_dlpack(_Capsule(t.__dlpack__(stream=stream), (2, 0)), dev)) == (
            address(t)
        )
    copied = dfdx.from_dlpack(_Capsule(t.__dlpack__(copy=True), (2, 0)), dev)
    assert address(copied) != address(t)
    np.testing.assert_array_equal(copied.numpy(), values(dfdx.f32))
    with pytest.raises(BufferError, match="copy across devices"):
        t.__dlpack__(dl_device=(1, 0))
    with pytest.raises(dfdx.DeviceError, match="never copies across devices"):
        dfdx.from_dlpack(t, dfdx.Cpu())
    with pytest.raises(dfdx.DeviceError, match="never copies across devices"):
        dfdx.from_dlpack(torch.zeros(2), dev)


def test_cuda_exchange_with_torch(dev):
    if not is_cuda(dev):
        pytest.skip("Cuda only")
    if not torch.cuda.is_available():
        pytest.skip("this PyTorch has no CUDA (a CPU build, or no GPU): nothing to exchange with")
    t = dev.tensor(values(dfdx.f32))
    x = torch.from_dlpack(t)
    assert x.is_cuda and x.data_ptr() == address(t) and x.device.index == getattr(dev, "ordinal", 0)
    x.mul_(2.0)
    torch.cuda.synchronize()
    np.testing.assert_array_equal(t.numpy(), 2 * values(dfdx.f32))
    y = torch.arange(6.0, device=x.device).reshape(2, 3)
    back = dfdx.from_dlpack(y, dev)
    assert address(back) == y.data_ptr()
    y.add_(1.0)
    torch.cuda.synchronize()
    np.testing.assert_array_equal(back.numpy(), np.arange(6.0).reshape(2, 3) + 1)
    np.testing.assert_array_equal(dfdx.from_dlpack(y.T, dev).numpy(), y.T.cpu().numpy())
    sliced = torch.arange(9.0, device=x.device)[1:]  # 4 bytes in: copied to an aligned block
    got = dfdx.from_dlpack(sliced, dev)
    assert address(got) % 16 == 0
    np.testing.assert_array_equal((got + 1.0).numpy(), np.arange(1.0, 9.0) + 1.0)


def test_a_misaligned_cuda_import_is_copied(dev):
    """A view starting one element in (a PyTorch slice with a storage offset) is not 16-byte
    aligned; the elementwise kernels load 16 bytes at a time, so the import copies it."""
    if dev.kind != "cuda":
        pytest.skip("a Cuda storage question (alignment for 16-byte loads)")
    from dfdx_py.dlpack import make_capsule

    x = dev.tensor(np.arange(9.0, dtype=np.float32))
    capsule = make_capsule(x._data.ptr + 4, (8,), (1,), dfdx.f32, (2, dev.ordinal), x._data)
    y = dfdx.from_dlpack(capsule, dev)
    assert y._data.ptr % 16 == 0 and y._data.ptr != x._data.ptr + 4
    np.testing.assert_array_equal((y + 1.0).numpy(), np.arange(1.0, 9.0) + 1.0)
