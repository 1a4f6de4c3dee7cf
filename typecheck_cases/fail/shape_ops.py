"""reshape, permute, transpose, realize, concat, stack, slicing, select, gather, roll, tril."""

from typing import TypeVar

from dfdx_py import Cpu, Rank2, Tensor, f32, f64, i64
from dfdx_py.devices.base import Device
from dfdx_py.ops import concat, stack

dev = Cpu(seed=0)
x = dev.zeros((2, 3, 4))

x.reshape((5, 5))  # E: reshape: (2, 3, 4) to (5, 5): element counts differ: 24 != 25  [tensor-shape]
x.reshape((-1, 5))  # E: reshape: (2, 3, 4) to (-1, 5): 24 elements do not divide into 5
x.reshape((-1, -1))  # E: reshape: (2, 3, 4) to (-1, -1): at most one -1 is allowed
x.reshape((-2, 12))  # E: reshape: (2, 3, 4) to (-2, 12): dim -2 is negative (only -1 is allowed)
x.permute((0, 1))  # E: permute: axes (0, 1) do not fit shape (2, 3, 4): 2 axes for rank 3
x.permute((0, 1, 1))  # E: permute: axes (0, 1, 1) are not a permutation of the axes of (2, 3, 4)
x.permute((0, 1, 3))  # E: permute: axis 3 is out of range for shape (2, 3, 4) (rank 3)
x.transpose(0, 3)  # E: transpose: axis 3 is out of range for shape (2, 3, 4) (rank 3)
x.realize((2, 3))  # E: realize: (2, 3, 4) can never be (2, 3): rank 3 != 2
x.realize((2, 3, 5))  # E: realize: (2, 3, 4) can never be (2, 3, 5): axis 2: 4 != 5

a, b = dev.zeros((2, 3)), dev.zeros((2, 4))
concat((a, b), 0)  # E: concat: shapes differ off the concat axis 0: (2, 3), (2, 4): axis 1 of tensor 1: 3 != 4
concat((a, x), 0)  # E: concat: ranks differ: (2, 3), (2, 3, 4): rank 2 != 3
concat((a, a), 2)  # E: concat: axis 2 is out of range for shape (2, 3) (rank 2)
a64 = a.to_dtype(f64)
concat((a, a64), 0)  # E: concat: dtypes differ: f32 vs f64 (tensor 0 vs tensor 1); convert one with to_dtype  [tensor-dtype]
stack((a, b))  # E: stack: shapes differ: (2, 3) vs (2, 4): axis 1: 3 != 4
stack([a, a], axis=3)  # E: stack: axis 3 is out of range for shape (2, 3) (rank 3)

x[2]  # E: slice: index 2 is out of range for axis 0 of size 2 (shape (2, 3, 4))
x[:, -4]  # E: slice: index -4 is out of range for axis 1 of size 3
x[0, 0, 0, 0]  # E: slice: too many indices for shape (2, 3, 4): 4 > 3
x[..., 0, ...]  # E: slice: at most one ... in an index, got 2
x[::0]  # E: slice: a slice step must be positive, got step 0 (axis 0 of (2, 3, 4))
x[None]  # E: slice: None (newaxis) is not supported in an index of (2, 3, 4); add axes with reshape or broadcast_to
x[dev.arange(2)]  # E: slice: indexing with a tensor is not supported; use x.select(indices, axis) or x.gather(indices, axis)

m = dev.zeros((3, 5))
m.select(dev.arange(4))  # E: select: index shape (4,) does not fit (3, 5) at axis 1: the index shape must be x.shape[:1] = (3,)
m.select(dev.zeros((3,), dtype=f64))  # E: select: needs an i64 index tensor, got f64  [tensor-dtype]
m.select(7)  # E: select: index 7 is out of range for axis 0 of size 3
m.select(0, axis=2)  # E: select: axis 2 is out of range for shape (3, 5) (rank 2)
m.gather(dev.tensor([[0, 1], [2, 3]]))  # E: gather: index shape (2, 2) does not fit (3, 5) at axis 1: the index shape must be x.shape[:1] + (N,) = (3, N) (for an embedding lookup pass axis=0)
m.gather(dev.zeros((1, 1, 1), dtype=i64))  # E: gather: index shape (1, 1, 1) does not fit (3, 5): the index rank 3 must be at most the rank 2
x.roll(1, 3)  # E: roll: axis 3 is out of range for shape (2, 3, 4) (rank 3)
dev.zeros((4,)).tril()  # E: tril: needs a tensor of rank >= 2, got shape (4,)

B = TypeVar("B", bound=int)


def symbols(x: Tensor[Rank2[B, 4], f32, Cpu], n: B) -> None:
    x.reshape((n, 5))  # E: reshape: (B, 4) to (B, 5): element counts differ: B*4 != B*5
    x.reshape((-1, 3))  # a Dyn result (B might be 3): checked at run time


class Gpu(Device):
    """A second device kind, for the device checks."""

    kind = "gpu"


m.select(Gpu(seed=0).arange(3))  # E: select: devices differ: Cpu vs Gpu (x vs indices); move one with .to(device)  [tensor-device]
concat((a, Gpu(seed=0).zeros((2, 3))), 0)  # E: concat: devices differ: Cpu vs Gpu (tensor 0 vs tensor 1)
