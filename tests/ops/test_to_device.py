import numpy as np
import pytest

import dfdx_py as dfdx
from dfdx_py import ops
from dfdx_py.devices.cpu import Cpu
from dfdx_py.ops.to_device import copy_storage


class OtherCpu(Cpu):
    """A device that does not share memory with the Cpu (a stand-in for a GPU): its storage
    is always a fresh copy, and it compares unequal to every ``Cpu``."""

    @property
    def key(self):
        return ("cpu", "other")

    def _from_numpy(self, array):
        return np.array(array, copy=True)


def test_same_device_is_identity(dev):
    x = dev.tensor([1.0, 2.0])
    assert x.to(dev) is x
    assert x.to(type(dev)(seed=1)) is x  # equal devices share memory


def test_same_device_keeps_the_tape(dev):
    x = dev.tensor([1.0, 2.0], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    y = x.trace(grads).to(type(dev)(seed=1))
    assert y.is_traced
    (y * y).sum().backward()
    assert grads.get(x).numpy().tolist() == [2.0, 4.0]


@pytest.mark.parametrize("dtype", [dfdx.f32, dfdx.f64, dfdx.i64, dfdx.bool_])
def test_copy_to_another_device(dev, dtype):
    other = OtherCpu(seed=3)
    x = dev.tensor(np.array([[1, 0], [3, 4]]), dtype=dtype)
    y = x.to(other)
    assert y is not x
    assert y.device is other
    assert y.dtype is dtype
    assert y.shape == (2, 2)
    np.testing.assert_array_equal(y.numpy(), x.numpy())
    assert not np.shares_memory(y._data, x._data)
    assert not y.is_traced
    back = y.to(dev)
    assert back.device is dev and back.dtype is dtype
    np.testing.assert_array_equal(back.numpy(), x.numpy())


def test_grads_flow_back_across_devices(dev):
    other = OtherCpu()
    x = dev.tensor([1.0, 2.0, 3.0], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    y = x.trace(grads).to(other)
    assert y.is_traced and y.device is other
    w = other.tensor([1.0, 10.0, 100.0], dtype=dfdx.f64)
    (y * w).sum().backward()
    g = grads.get(x)
    assert g.device is dev
    assert g.numpy().tolist() == [1.0, 10.0, 100.0]


def test_round_trip_grads(dev):
    other = OtherCpu()
    x = dev.tensor([1.0, -2.0], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    t = x.trace(grads)
    z = t.to(other).to(dev) * t  # x² through a round trip
    z.sum().backward()
    assert grads.get(x).numpy().tolist() == [2.0, -4.0]


def test_copy_storage(dev):
    other = OtherCpu()
    data = dev._from_numpy(np.arange(3.0))
    copied = copy_storage(data, dev, other)
    assert copied is not data
    np.testing.assert_array_equal(copied, np.arange(3.0))


def test_to_device_errors(dev):
    x = dev.zeros((2,))
    with pytest.raises(TypeError, match="to: expected a device such as Cpu\\(\\), got str"):
        x.to("cpu")
    y = x.to(OtherCpu())
    with pytest.raises(dfdx.DeviceError, match="concat: tensors on different devices"):
        ops.concat((x, y), axis=0)
