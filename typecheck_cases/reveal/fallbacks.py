"""What the plugin cannot read statically keeps mypy's own answer: never a false error."""

from typing import Any, Literal, TypeVar, assert_type

from dfdx_py import Cpu, Tensor, f32
from dfdx_py.ops import concat, matmul

dev = Cpu(seed=0)
x = dev.zeros((2, 3))
S = TypeVar("S", bound=tuple[int, ...])
Unknown = Tensor[Any, f32, Cpu]


def unknown_values(anything: Any, axes: tuple[int, ...], shape: tuple[int, ...]) -> None:
    assert_type(x.sum(anything), Unknown)
    assert_type(x.sum(*[0]), Unknown)
    assert_type(x.permute(axes), Unknown)
    assert_type(x.reshape(shape), Unknown)
    assert_type(x.reshape(anything), Unknown)
    assert_type(x.reshape((anything, 3)), Tensor[tuple[int, Literal[3]], f32, Cpu])
    assert_type(x[anything], Unknown)
    assert_type(dev.zeros(shape), Tensor[tuple[int, ...], f32, Cpu])
    assert_type(concat(anything, 0), Tensor[Any, Any, Any])
    assert_type(matmul(x, anything), Unknown)


def unknown_shapes(a: Tensor[S, f32, Cpu], b: Tensor[tuple[int, ...], f32, Cpu]) -> None:
    """A shape variable keeps its identity; a variadic shape is unknown."""
    assert_type(a + a, Tensor[S, f32, Cpu])
    assert_type(a.exp(), Tensor[S, f32, Cpu])
    assert_type(a.sum(), Tensor[tuple[()], f32, Cpu])
    assert_type(a.sum(0), Unknown)
    assert_type(a @ a, Unknown)
    assert_type(b + b, Tensor[tuple[int, ...], f32, Cpu])
    assert_type(x + b, Tensor[tuple[Literal[2], Literal[3]], f32, Cpu])
    assert_type(b.sum(0), Unknown)
    assert_type(b[0], Unknown)
    a.backward()  # a shape variable may be Rank0: left to run time


def unions(u: Tensor[tuple[Literal[2], Literal[3]], f32, Cpu] | float) -> None:
    assert_type(x + u, Tensor[tuple[Literal[2], Literal[3]], f32, Cpu])
