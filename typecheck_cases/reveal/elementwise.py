"""Elementwise ops keep the shape; binary ops unify their operands' shapes."""

from typing import Literal, assert_type

import dfdx_py.ops as dfdx
from dfdx_py import Cpu, Rank2, Tensor, bool_, f32, i64

dev = Cpu(seed=0)
Static = Tensor[tuple[Literal[2], Literal[3]], f32, Cpu]
x = dev.zeros((2, 3))
y = dev.ones((2, 3))

assert_type(x + y, Static)
assert_type(x - y, Static)
assert_type(x * y, Static)
assert_type(x / y, Static)
assert_type(x + 1.0, Static)
assert_type(2 * x, Static)
assert_type(1.0 - x, Static)
assert_type(-x, Static)
assert_type(x.exp().relu().sigmoid().tanh(), Static)
assert_type(x.leaky_relu(0.1).powf(2.0).powi(3).clamp(-1.0, 1.0), Static)
assert_type(x.gelu().accurate_gelu().fast_gelu().square().sqrt().ln(), Static)
assert_type(x.nans_to(0.0).recip().abs().negate().sin().cos().dropout(0.5), Static)

# comparisons give bool_ tensors of the same shape
assert_type(x > y, Tensor[tuple[Literal[2], Literal[3]], bool_, Cpu])
assert_type(x.le(0.0), Tensor[tuple[Literal[2], Literal[3]], bool_, Cpu])
assert_type(x == y, Tensor[tuple[Literal[2], Literal[3]], bool_, Cpu])

# function forms
assert_type(dfdx.maximum(x, y), Static)
assert_type(dfdx.minimum(x, 0.0), Static)
assert_type(dfdx.add(x, y), Static)
assert_type(dfdx.choose(x > 0, x, y), Static)
assert_type(dfdx.choose(x > 0, 0.0, y), Static)
assert_type(dev.arange(4) + dev.arange(4), Tensor[tuple[Literal[4]], i64, Cpu])


def dyn(a: Tensor[tuple[int, Literal[3]], f32, Cpu], b: Tensor[Rank2[2, 3], f32, Cpu]) -> None:
    """A Dyn dim is never a static error; the result keeps the more precise dim."""
    assert_type(a + b, Static)
    assert_type(b + a, Static)
