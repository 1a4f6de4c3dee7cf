"""02: tensor operations. Same-shape arithmetic, scalars, activations, matmul."""

import dfdx_py as dfdx
from dfdx_py import Cpu, Rank1, Rank2, Tensor, f32

dev = Cpu(seed=0)

a: Tensor[Rank2[2, 3], f32, Cpu] = dev.tensor([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
b: Tensor[Rank2[2, 3], f32, Cpu] = dev.ones((2, 3))

# Binary ops need the SAME shape (or a Python scalar): nothing broadcasts implicitly.
c = (a + b) * 2.0 - a / 4.0
print("c", c.numpy().tolist())

# Unary ops keep the shape.
print("relu", a.relu().numpy().tolist())
print("sigmoid", a.sigmoid().numpy().round(3).tolist())
print("gelu", a.gelu().numpy().round(3).tolist())
print("clamp", a.clamp(-1.0, 1.0).numpy().tolist())

# Comparisons give bool_ tensors; choose picks elementwise (torch.where).
mask = a > 0.0
print("positive part", dfdx.choose(mask, a, b * 0.0).numpy().tolist())
print("maximum", dfdx.maximum(a, b).numpy().tolist())

# Matmul: (2, 3) @ (3, 4) -> (2, 4), and every other dfdx form.
w: Tensor[Rank2[3, 4], f32, Cpu] = dev.sample_normal((3, 4))
y: Tensor[Rank2[2, 4], f32, Cpu] = a @ w
v: Tensor[Rank1[4], f32, Cpu] = dev.tensor([1.0, 2.0, 3.0]) @ w
print("matmul", y.shape, "vector-matrix", v.shape)

# Softmax along the last axis sums to one.
probs = y.softmax(axis=-1)
print("softmax rows sum to", probs.sum(axis=-1).numpy().round(6).tolist())
