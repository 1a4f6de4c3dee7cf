"""The RankN sugar: bare ints are Literal dims, Dyn is int, a TypeVar stays a symbol."""

from typing import Literal, TypeVar, assert_type

from dfdx_py import Const, Cpu, Dyn, Rank0, Rank1, Rank2, Rank3, Rank4, Tensor, f32

B = TypeVar("B", bound=int)
Image = Tensor[Rank4[8, 3, 32, 32], f32, Cpu]


def sugar(
    a: Tensor[Rank2[2, 3], f32, Cpu],
    b: Tensor[Rank1[Dyn], f32, Cpu],
    c: Tensor[Rank0, f32, Cpu],
    d: Tensor[Rank3[Const[4], Dyn, 5], f32, Cpu],
    e: Image,
) -> None:
    assert_type(a, Tensor[tuple[Literal[2], Literal[3]], f32, Cpu])
    assert_type(b, Tensor[tuple[int], f32, Cpu])
    assert_type(c, Tensor[tuple[()], f32, Cpu])
    assert_type(d, Tensor[tuple[Literal[4], int, Literal[5]], f32, Cpu])
    assert_type(e, Tensor[tuple[Literal[8], Literal[3], Literal[32], Literal[32]], f32, Cpu])


def symbolic(x: Tensor[Rank2[B, 784], f32, Cpu]) -> Tensor[Rank1[B], f32, Cpu]:
    assert_type(x, Tensor[tuple[B, Literal[784]], f32, Cpu])
    return x.sum(1)
