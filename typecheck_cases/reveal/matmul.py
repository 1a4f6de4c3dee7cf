"""matmul in every dfdx form, as a function and as @."""

from typing import Literal, TypeVar, assert_type

import dfdx_py.ops as dfdx
from dfdx_py import Cpu, Rank2, Rank3, Tensor, f32

dev = Cpu(seed=0)
B = TypeVar("B", bound=int)
L2 = Literal[2]
L3 = Literal[3]
L4 = Literal[4]
L5 = Literal[5]

assert_type(dev.zeros((3,)) @ dev.zeros((3, 4)), Tensor[tuple[L4], f32, Cpu])
assert_type(dev.zeros((2, 3)) @ dev.zeros((3,)), Tensor[tuple[L2], f32, Cpu])
assert_type(dev.zeros((2, 3)) @ dev.zeros((3, 4)), Tensor[tuple[L2, L4], f32, Cpu])
assert_type(dev.zeros((5, 2, 3)) @ dev.zeros((3, 4)), Tensor[tuple[L5, L2, L4], f32, Cpu])
assert_type(dev.zeros((5, 2, 3)) @ dev.zeros((5, 3, 4)), Tensor[tuple[L5, L2, L4], f32, Cpu])
assert_type(
    dev.zeros((5, 4, 2, 3)) @ dev.zeros((5, 4, 3, 4)), Tensor[tuple[L5, L4, L2, L4], f32, Cpu]
)
assert_type(dfdx.matmul(dev.zeros((2, 3)), dev.zeros((3, 4))), Tensor[tuple[L2, L4], f32, Cpu])


def linear(
    x: Tensor[Rank2[B, 784], f32, Cpu], w: Tensor[Rank2[784, 10], f32, Cpu]
) -> Tensor[Rank2[B, 10], f32, Cpu]:
    """A symbolic batch dim flows through."""
    return x @ w


def batched(x: Tensor[Rank3[B, 2, 3], f32, Cpu], y: Tensor[Rank3[B, 3, 4], f32, Cpu]) -> None:
    assert_type(x @ y, Tensor[tuple[B, L2, L4], f32, Cpu])


def dyn(x: Tensor[tuple[int, int], f32, Cpu]) -> None:
    assert_type(x @ dev.zeros((3, 4)), Tensor[tuple[int, L4], f32, Cpu])


# linear: x @ weightᵀ + bias, the weight in PyTorch's (out, in) layout
assert_type(dfdx.linear(dev.zeros((2, 3)), dev.zeros((4, 3))), Tensor[tuple[L2, L4], f32, Cpu])
assert_type(
    dfdx.linear(dev.zeros((5, 2, 3)), dev.zeros((4, 3)), dev.zeros((4,))),
    Tensor[tuple[L5, L2, L4], f32, Cpu],
)
assert_type(dfdx.linear(dev.zeros((3,)), dev.zeros((4, 3))), Tensor[tuple[L4], f32, Cpu])
