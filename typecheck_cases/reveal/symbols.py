"""Symbolic dims (TypeVars bound to int) flow through every op."""

from typing import Literal, TypeVar, assert_type

from dfdx_py import Cpu, Rank1, Rank2, Rank3, Tensor, f32

B = TypeVar("B", bound=int)
S = TypeVar("S", bound=int)
dev = Cpu(seed=0)


def ops(x: Tensor[Rank2[B, 784], f32, Cpu], y: Tensor[tuple[int, Literal[784]], f32, Cpu]) -> None:
    assert_type(x + x, Tensor[tuple[B, Literal[784]], f32, Cpu])
    assert_type(x + y, Tensor[tuple[B, Literal[784]], f32, Cpu])
    assert_type(y + x, Tensor[tuple[B, Literal[784]], f32, Cpu])
    assert_type(x.sum(1), Tensor[tuple[B], f32, Cpu])
    assert_type(x.sum(), Tensor[tuple[()], f32, Cpu])
    assert_type(x.reshape((-1, 28, 28)), Tensor[tuple[B, Literal[28], Literal[28]], f32, Cpu])
    assert_type(x.transpose(0, 1), Tensor[tuple[Literal[784], B], f32, Cpu])
    assert_type(x[:, :10], Tensor[tuple[B, Literal[10]], f32, Cpu])
    assert_type(x.softmax(-1), Tensor[tuple[B, Literal[784]], f32, Cpu])


def reshape_keeps_symbols(x: Tensor[Rank3[B, 28, 28], f32, Cpu]) -> Tensor[Rank2[B, 784], f32, Cpu]:
    assert_type(x.reshape((-1, 784)), Tensor[tuple[B, Literal[784]], f32, Cpu])
    return x.reshape((-1, 784))


def two_symbols(x: Tensor[Rank2[B, S], f32, Cpu]) -> Tensor[Rank1[S], f32, Cpu]:
    assert_type(x.permute((1, 0)), Tensor[tuple[S, B], f32, Cpu])
    return x.mean(0)


def symbolic_values(x: Tensor[Rank2[B, 3], f32, Cpu], n: B) -> None:
    """A value typed by a symbol is that symbol in a shape."""
    assert_type(dev.zeros((n, 3)), Tensor[tuple[B, Literal[3]], f32, Cpu])
    assert_type(x + dev.zeros((n, 3)), Tensor[tuple[B, Literal[3]], f32, Cpu])
    assert_type(dev.zeros((x.shape[0], 3)), Tensor[tuple[int, Literal[3]], f32, Cpu])
