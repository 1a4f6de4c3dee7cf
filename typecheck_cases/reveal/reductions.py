"""Reductions remove their axes; softmax & co keep the shape; broadcast_to adds axes."""

from typing import Any, Literal, assert_type

from dfdx_py import Cpu, Tensor, f32

dev = Cpu(seed=0)
x = dev.zeros((2, 3, 4))

assert_type(x.sum(), Tensor[tuple[()], f32, Cpu])
assert_type(x.sum(0), Tensor[tuple[Literal[3], Literal[4]], f32, Cpu])
assert_type(x.mean(-1), Tensor[tuple[Literal[2], Literal[3]], f32, Cpu])
assert_type(x.max((0, 2)), Tensor[tuple[Literal[3]], f32, Cpu])
assert_type(x.min(axis=(-1, 0)), Tensor[tuple[Literal[3]], f32, Cpu])
assert_type(x.var(1), Tensor[tuple[Literal[2], Literal[4]], f32, Cpu])
assert_type(x.std(1, eps=1e-5), Tensor[tuple[Literal[2], Literal[4]], f32, Cpu])
assert_type(x.logsumexp(None), Tensor[tuple[()], f32, Cpu])

assert_type(x.softmax(), Tensor[tuple[Literal[2], Literal[3], Literal[4]], f32, Cpu])
assert_type(x.log_softmax(1), Tensor[tuple[Literal[2], Literal[3], Literal[4]], f32, Cpu])
assert_type(x.normalize(-1), Tensor[tuple[Literal[2], Literal[3], Literal[4]], f32, Cpu])

v = dev.zeros((4,))
assert_type(v.broadcast_to((2, 3, 4)), Tensor[tuple[Literal[2], Literal[3], Literal[4]], f32, Cpu])
assert_type(v.broadcast_to((4, 5), axes=1), Tensor[tuple[Literal[4], Literal[5]], f32, Cpu])
assert_type(
    x.sum(1).broadcast_to((2, 3, 4), (1,)),
    Tensor[tuple[Literal[2], Literal[3], Literal[4]], f32, Cpu],
)


def axis_unknown(axis: int) -> None:
    """A non-literal axis: the rank is not known statically."""
    assert_type(x.sum(axis), Tensor[Any, f32, Cpu])
