"""01: creating tensors. Shapes, dtypes and devices are part of a tensor's type."""

from typing import Final

import numpy as np

from dfdx_py import Cpu, Rank1, Rank2, Tensor, f32, f64, i64

dev = Cpu(seed=0)

# Shapes given as literals are static: mypy (with the dfdx_mypy plugin) knows a is 2x3.
a: Tensor[Rank2[2, 3], f32, Cpu] = dev.zeros((2, 3))
b: Tensor[Rank2[2, 3], f64, Cpu] = dev.ones((2, 3), dtype=f64)
c = dev.full((2, 3), 7.0)

# From nested lists (floats default to f32, ints to i64) or from a numpy array.
d: Tensor[Rank2[2, 2], f32, Cpu] = dev.tensor([[1.0, 2.0], [3.0, 4.0]])
HIDDEN: Final = 4
images = np.random.default_rng(0).random((5, HIDDEN))
e = dev.tensor(images, shape=(5, HIDDEN))  # the declared shape is checked at run time

# Random tensors come from the device's seeded generator: same seed, same values.
noise = dev.sample_normal((3, 4))
u = dev.sample_uniform((4,), low=-1.0, high=1.0)
idx: Tensor[Rank1[10], i64, Cpu] = dev.arange(10)

print("a", a.shape, a.dtype, a.device)
print("b", b.numpy().tolist())
print("c", c.numpy()[0])
print("d", d.numpy().tolist())
print("e", e.shape, e.dtype)
print("noise mean", round(noise.mean().item(), 3))
print("u within bounds:", bool((u.numpy() >= -1).all() and (u.numpy() < 1).all()))
print("idx", idx.numpy().tolist())

# Conversions: to another dtype, to numpy, to a Python number.
assert d.to_dtype(f64).dtype is f64
assert d.sum().item() == 10.0
