"""The RankN sugar: the number of dims and what a dim may be."""

from dfdx_py import Cpu, Rank1, Rank2, Tensor, f32


def wrong_rank(x: Tensor[Rank2[2, 3, 4], f32, Cpu]) -> None: ...  # E: Rank2 takes 2 dims, got 3  [tensor-shape]
def negative(x: Tensor[Rank1[-1], f32, Cpu]) -> None: ...  # E: Rank1: a static dim must be >= 0, got -1
def not_a_dim(x: Tensor[Rank1[str], f32, Cpu]) -> None: ...  # E: Rank1: a dim must be an int literal, Dyn, Const[n] or a TypeVar bound to int, got str
def mismatch(x: Tensor[Rank2[2, 3], f32, Cpu]) -> Tensor[Rank2[3, 2], f32, Cpu]:
    return x  # E: Incompatible return value type (got "Tensor[tuple[Literal[2], Literal[3]], f32, Cpu]", expected "Tensor[tuple[Literal[3], Literal[2]], f32, Cpu]")  [return-value]
