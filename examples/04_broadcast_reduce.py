"""04: broadcasting and reductions. Broadcasting is always explicit; reductions remove axes."""

import dfdx_py as dfdx
from dfdx_py import Cpu, Rank1, Rank2, Rank3, Tensor, f32

dev = Cpu(seed=0)

row: Tensor[Rank1[3], f32, Cpu] = dev.tensor([1.0, 2.0, 3.0])
col: Tensor[Rank1[2], f32, Cpu] = dev.tensor([10.0, 20.0])

# New leading axes by default (the numpy rule) ...
rows: Tensor[Rank2[2, 3], f32, Cpu] = row.broadcast_to((2, 3))
# ... or name where the new axes go in the output.
cols: Tensor[Rank2[2, 3], f32, Cpu] = col.broadcast_to((2, 3), axes=1)
print("rows + cols", (rows + cols).numpy().tolist())

# Mixing shapes without broadcast_to is an error, at run time and (with the plugin) for mypy.
try:
    dev.zeros((2, 1)) + dev.zeros((2,))  # type: ignore[tensor-shape]
except dfdx.ShapeError as e:
    print("ShapeError:", e)

# Reductions take axis=None | int | tuple, negative allowed, and remove the reduced axes.
x: Tensor[Rank3[2, 3, 4], f32, Cpu] = dev.sample_normal((2, 3, 4))
total = x.sum()
per_row: Tensor[Rank2[2, 3], f32, Cpu] = x.sum(axis=-1)
per_batch: Tensor[Rank1[3], f32, Cpu] = x.mean(axis=(0, 2))
print("sum", round(total.item(), 4), "per_row", per_row.shape, "per_batch", per_batch.shape)
print("max over axis 1", x.max(axis=1).shape, "var", round(x.var().item(), 4))
print("logsumexp", x.logsumexp(axis=-1).shape)

# A classic: normalize each row to zero mean and unit variance.
z = x.normalize(axis=-1)
print("normalized row means ~0:", abs(z.mean(axis=-1).numpy()).max() < 1e-6)
