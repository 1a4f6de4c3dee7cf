"""Shape ops whose static shapes match what happens at run time."""

from typing import Literal, assert_type

from dfdx_py import Cpu, Tensor, f32
from dfdx_py.ops import concat, stack

dev = Cpu(seed=0)
x = dev.sample_normal((2, 3, 4))

flat = x.reshape((-1,))
assert_type(flat, Tensor[tuple[Literal[24]], f32, Cpu])
assert flat.shape == (24,)
assert x.reshape((6, -1)).shape == (6, 4)
assert x.permute((2, 0, 1)).shape == (4, 2, 3)
assert x.transpose(-1, 0).shape == (4, 3, 2)
assert x.sum((0, 2)).shape == (3,)
assert x.mean(-1).shape == (2, 3)
assert x.max().shape == ()
assert x.softmax(1).shape == (2, 3, 4)
assert x.sum(0).broadcast_to((2, 3, 4)).shape == (2, 3, 4)
assert x.sum(1).broadcast_to((2, 3, 4), axes=1).shape == (2, 3, 4)

a, b = dev.zeros((2, 3)), dev.ones((5, 3))
both = concat((a, b), 0)
assert_type(both, Tensor[tuple[Literal[7], Literal[3]], f32, Cpu])
assert both.shape == (7, 3)
assert stack((a, a, a), axis=1).shape == (2, 3, 3)

assert x[1:3].shape == (1, 3, 4)
assert x[:, 0:2, ::2].shape == (2, 2, 2)
assert x[..., -1].shape == (2, 3)
assert x[0, ..., 1:].shape == (3, 3)

m = dev.sample_normal((3, 5))
picked = m.select(dev.tensor([0, 4, 2]))
assert_type(picked, Tensor[tuple[Literal[3]], f32, Cpu])
assert picked.shape == (3,)
assert m.select(1).shape == (5,)
assert m.gather(dev.tensor([[0, 1], [2, 3], [4, 4]])).shape == (3, 2)
assert m.gather(dev.tensor([2, 0])).shape == (2, 5)
assert dev.zeros((10, 8)).gather(dev.tensor([[1, 2], [3, 4]]), axis=0).shape == (2, 2, 8)
assert m.roll(1, 1).shape == (3, 5)
assert m.tril().shape == m.triu(1).shape == (3, 5)


def realize(n: int) -> None:
    y = dev.zeros((n, 4)).realize((3, 4))
    assert_type(y, Tensor[tuple[Literal[3], Literal[4]], f32, Cpu])
    assert y.shape == (3, 4)


realize(3)
