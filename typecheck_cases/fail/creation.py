"""Creation errors: negative dims, ragged data, data that contradicts shape=, float-only samplers."""

from dfdx_py import Cpu, i64

dev = Cpu(seed=0)

dev.zeros((2, -3))  # E: zeros: a dim must be >= 0, got -3 in (2, -3)
dev.sample_normal((-1,))  # E: sample_normal: a dim must be >= 0
dev.tensor([[1.0, 2.0], [3.0]])  # E: tensor: nested lists are ragged: items of shapes (2,) and (1,)
dev.tensor([[1.0, 2.0], [3.0, 4.0]], shape=(2, 3))  # E: tensor: data has shape (2, 2), declared shape is (2, 3)
dev.sample_uniform((2,), dtype=i64)  # E: sample_uniform: needs a float dtype, got i64
dev.arange(-1)  # E: arange: n must be >= 0, got -1
