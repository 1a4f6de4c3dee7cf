"""to_device between the Cpu and the Cuda device, both ways: values and dtypes arrive
unchanged, storage is the destination's own, and gradients flow back to the source device.

tests/ops/test_to_device.py moves tensors between ``dev`` and a second Cpu; these cases
move them between a Cpu and the Cuda device (the GPU, or the emulator under
``--cuda-emulator``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import dfdx_py as dfdx
from dfdx_py.devices.cuda.storage import CudaArray
from tests.checks import make_device

pytestmark = pytest.mark.cuda

DTYPES = [dfdx.f32, dfdx.f64, dfdx.i64, dfdx.bool_]
SHAPES = [(), (0,), (3,), (2, 3), (2, 0, 4), (3, 1, 2, 5)]


@pytest.fixture(scope="module")
def cuda(request: pytest.FixtureRequest) -> Any:
    return make_device("cuda", emulate=request.config.getoption("--cuda-emulator"))


@pytest.fixture(scope="module")
def cpu() -> Any:
    return dfdx.Cpu()


def _values(shape: tuple[int, ...], dtype: Any) -> np.ndarray[Any, Any]:
    rng = np.random.default_rng(7)
    if dtype is dfdx.bool_:
        return rng.integers(0, 2, shape).astype(bool)
    if dtype is dfdx.i64:
        return rng.integers(-(2**40), 2**40, shape, dtype=np.int64)
    return rng.standard_normal(shape).astype(dtype.numpy)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_cpu_to_cuda_and_back(cpu: Any, cuda: Any, dtype: Any, shape: tuple[int, ...]) -> None:
    values = _values(shape, dtype)
    x = cpu.tensor(values, dtype=dtype)
    y = x.to(cuda)
    assert y.device is cuda and y.dtype is dtype and y.shape == shape
    assert isinstance(y._data, CudaArray) and y._data.shape == shape
    assert not y.is_traced
    back = y.to(cpu)
    assert back.device is cpu and back.dtype is dtype and back.shape == shape
    assert isinstance(back._data, np.ndarray)
    np.testing.assert_array_equal(y.numpy(), values)
    np.testing.assert_array_equal(back.numpy(), values)
    assert back.numpy().dtype == values.dtype


def test_same_cuda_device_is_identity(cuda: Any) -> None:
    x = cuda.tensor([1.0, 2.0])
    assert x.to(cuda) is x


@pytest.mark.parametrize("dtype", [dfdx.f32, dfdx.f64], ids=lambda d: d.__name__)
def test_grads_flow_from_cuda_back_to_cpu(cpu: Any, cuda: Any, dtype: Any) -> None:
    x = cpu.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=dtype)
    grads = dfdx.Gradients()
    y = x.trace(grads).to(cuda)
    assert y.is_traced and y.device is cuda
    w = cuda.tensor([[1.0, 10.0, 100.0], [-1.0, -10.0, -100.0]], dtype=dtype)
    (y * w).sum().backward()
    g = grads.get(x)
    assert g.device is cpu and g.dtype is dtype
    assert isinstance(g._data, np.ndarray)
    assert g.numpy().tolist() == [[1.0, 10.0, 100.0], [-1.0, -10.0, -100.0]]


@pytest.mark.parametrize("dtype", [dfdx.f32, dfdx.f64], ids=lambda d: d.__name__)
def test_grads_flow_from_cpu_back_to_cuda(cpu: Any, cuda: Any, dtype: Any) -> None:
    x = cuda.tensor([1.0, -2.0, 3.0], dtype=dtype)
    grads = dfdx.Gradients()
    y = x.trace(grads).to(cpu)
    assert y.is_traced and y.device is cpu
    (y * cpu.tensor([2.0, 3.0, 4.0], dtype=dtype)).sum().backward()
    g = grads.get(x)
    assert g.device is cuda and g.dtype is dtype
    assert isinstance(g._data, CudaArray)
    assert g.numpy().tolist() == [2.0, 3.0, 4.0]


def test_round_trips_add_up(cpu: Any, cuda: Any) -> None:
    """x² through Cpu -> Cuda -> Cpu, and x * (x on Cuda) back on the Cpu: the gradients of
    every path reach x."""
    x = cpu.tensor([1.0, -2.0, 0.5], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    t = x.trace(grads)
    z = t.to(cuda).to(cpu) * t  # x²
    (z.sum() + t.to(cuda).sum().to(cpu)).backward()  # + x: gradient 2x + 1
    assert grads.get(x).numpy().tolist() == [3.0, -3.0, 2.0]


def test_round_trip_from_cuda(cpu: Any, cuda: Any) -> None:
    x = cuda.tensor([[1.0, -2.0], [3.0, 0.25]], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    t = x.trace(grads)
    z = t.to(cpu).to(cuda) * t  # x² through a round trip by the Cpu
    z.sum().backward()
    g = grads.get(x)
    assert g.device is cuda
    assert g.numpy().tolist() == [[2.0, -4.0], [6.0, 0.5]]


def test_ops_on_mixed_devices_raise(cpu: Any, cuda: Any) -> None:
    x = cpu.zeros((2,))
    with pytest.raises(dfdx.DeviceError, match="concat: tensors on different devices"):
        dfdx.concat((x, x.to(cuda)), axis=0)
