"""reshape, permute, transpose, realize, concat, stack, slicing, select, gather, roll, tril."""

from typing import Literal, assert_type

import dfdx_py.ops as dfdx
from dfdx_py import Cpu, Tensor, f32, i64

dev = Cpu(seed=0)
x = dev.zeros((2, 3, 4))
L2 = Literal[2]
L3 = Literal[3]
L4 = Literal[4]

assert_type(x.reshape((6, 4)), Tensor[tuple[Literal[6], L4], f32, Cpu])
assert_type(x.reshape((-1,)), Tensor[tuple[Literal[24]], f32, Cpu])
assert_type(x.reshape((2, -1)), Tensor[tuple[L2, Literal[12]], f32, Cpu])
assert_type(x.permute((2, 0, 1)), Tensor[tuple[L4, L2, L3], f32, Cpu])
assert_type(x.permute((-1, 1, 0)), Tensor[tuple[L4, L3, L2], f32, Cpu])
assert_type(x.transpose(0, 2), Tensor[tuple[L4, L3, L2], f32, Cpu])
assert_type(x.transpose(-1, -2), Tensor[tuple[L2, L4, L3], f32, Cpu])


def realize(n: int, y: Tensor[tuple[int, L4], f32, Cpu]) -> None:
    """realize narrows Dyn dims to the written ones, or widens static ones to Dyn."""
    assert_type(y.realize((3, 4)), Tensor[tuple[L3, L4], f32, Cpu])
    assert_type(x.realize((2, n, 4)), Tensor[tuple[L2, int, L4], f32, Cpu])


a, b = dev.zeros((2, 3)), dev.ones((5, 3))
assert_type(dfdx.concat((a, b), 0), Tensor[tuple[Literal[7], L3], f32, Cpu])
assert_type(dfdx.concat((a, a, a), axis=-1), Tensor[tuple[L2, Literal[9]], f32, Cpu])
assert_type(dfdx.concat([a, b], 0), Tensor[tuple[Literal[7], L3], f32, Cpu])
assert_type(dfdx.stack((a, a)), Tensor[tuple[L2, L2, L3], f32, Cpu])
assert_type(dfdx.stack([a, a, a, a], axis=-1), Tensor[tuple[L2, L3, L4], f32, Cpu])

assert_type(x[0], Tensor[tuple[L3, L4], f32, Cpu])
assert_type(x[1:3], Tensor[tuple[Literal[1], L3, L4], f32, Cpu])
assert_type(x[:, 0:2, ::2], Tensor[tuple[L2, L2, L2], f32, Cpu])
assert_type(x[..., -1], Tensor[tuple[L2, L3], f32, Cpu])
assert_type(x[0, ..., 1:], Tensor[tuple[L3, L3], f32, Cpu])
assert_type(x[-1, -1, -1], Tensor[tuple[()], f32, Cpu])


def slice_dyn(i: int, y: Tensor[tuple[int, L4], f32, Cpu]) -> None:
    """Non-literal bounds, or a Dyn dim, give a Dyn length."""
    assert_type(x[:, :i], Tensor[tuple[L2, int, L4], f32, Cpu])
    assert_type(x[i], Tensor[tuple[L3, L4], f32, Cpu])
    assert_type(y[1:3], Tensor[tuple[int, L4], f32, Cpu])
    assert_type(y[:, 1:3], Tensor[tuple[int, L2], f32, Cpu])


m = dev.zeros((3, 5))
assert_type(m.select(dev.tensor([0, 4, 2])), Tensor[tuple[L3], f32, Cpu])
assert_type(m.select(1), Tensor[tuple[Literal[5]], f32, Cpu])
assert_type(m.select(4, axis=1), Tensor[tuple[L3], f32, Cpu])
assert_type(m.gather(dev.tensor([[0, 1], [2, 3], [4, 4]])), Tensor[tuple[L3, L2], f32, Cpu])
assert_type(m.gather(dev.tensor([2, 0])), Tensor[tuple[L2, Literal[5]], f32, Cpu])
emb = dev.zeros((10, 8))
tokens = dev.zeros((4, 6), dtype=i64)
assert_type(emb.gather(tokens, axis=0), Tensor[tuple[L4, Literal[6], Literal[8]], f32, Cpu])

assert_type(x.roll(1, 2), Tensor[tuple[L2, L3, L4], f32, Cpu])
assert_type(x.tril(), Tensor[tuple[L2, L3, L4], f32, Cpu])
assert_type(m.triu(1), Tensor[tuple[L3, Literal[5]], f32, Cpu])
