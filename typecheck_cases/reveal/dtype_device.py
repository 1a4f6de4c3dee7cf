"""to_dtype changes the static dtype, .to(device) the static device."""

from typing import Literal, assert_type

from dfdx_py import Cpu, Tensor, f32, f64, i64

dev = Cpu(seed=0)
x = dev.zeros((2, 3))

assert_type(x.to_dtype(f64), Tensor[tuple[Literal[2], Literal[3]], f64, Cpu])
assert_type(x.to_dtype(i64).sum(0), Tensor[tuple[Literal[3]], i64, Cpu])
assert_type(x.to(Cpu(seed=1)), Tensor[tuple[Literal[2], Literal[3]], f32, Cpu])
assert_type(x.trace().sum().backward().get(x), Tensor[tuple[Literal[2], Literal[3]], f32, Cpu])
