"""Elementwise ops, comparisons, choose and dtype conversions, run on the Cpu."""

from typing import Literal, assert_type

from dfdx_py import Cpu, Tensor, bool_, f32, f64, i64
from dfdx_py.ops import choose, maximum, minimum

dev = Cpu(seed=0)
x = dev.tensor([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
y = dev.ones((2, 3))
Static = Tensor[tuple[Literal[2], Literal[3]], f32, Cpu]

assert_type(x, Static)
z = (x + y) * 2.0 - y / 4.0
assert_type(z, Static)
assert z.shape == (2, 3)
positive = x > 0
assert_type(positive, Tensor[tuple[Literal[2], Literal[3]], bool_, Cpu])
assert positive.dtype is bool_
picked = choose(positive, x, 0.0)
assert_type(picked, Static)
assert picked.numpy().tolist() == [[1.0, 0.0, 3.0], [0.0, 5.0, 0.0]]
assert maximum(x, y).shape == minimum(x, 0.0).shape == (2, 3)
assert x.abs().exp().ln().sqrt().tanh().sigmoid().relu().shape == (2, 3)

doubles = x.to_dtype(f64)
assert_type(doubles, Tensor[tuple[Literal[2], Literal[3]], f64, Cpu])
assert doubles.dtype is f64
counts = dev.arange(5)
assert_type(counts, Tensor[tuple[Literal[5]], i64, Cpu])
assert (counts + counts).numpy().tolist() == [0, 2, 4, 6, 8]
