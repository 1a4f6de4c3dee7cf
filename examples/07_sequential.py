"""07: sequential models. Tuples run in order, tuples nest, Residual adds a skip connection.

The model of the dfdx announcement, in Python.
"""

import numpy as np

from dfdx_py import Cpu, Rank2, Tensor, f32, nn

dev = Cpu(seed=0)

Model = tuple[
    tuple[nn.Linear[5, 10], nn.ReLU],  # a nested tuple is a sequential block
    nn.Residual[tuple[nn.Linear[10, 10], nn.Tanh]],  # y = x + tanh(linear(x))
    nn.Linear[10, 2],
]
model = dev.build_module(Model, f32)
print(model)

x: Tensor[Rank2[4, 5], f32, Cpu] = dev.sample_normal((4, 5))
y: Tensor[Rank2[4, 2], f32, Cpu] = model(x)
print("forward", x.shape, "->", y.shape)

# Items are numbered like PyTorch's nn.Sequential: model[0] is the first block.
h: Tensor[Rank2[4, 10], f32, Cpu] = model[0](x)
r: Tensor[Rank2[4, 10], f32, Cpu] = model[1](h)
assert np.allclose(model[2](r).numpy(), y.numpy(), atol=1e-6)

# Residual is y = x + F(x); its child F is `f`.
res = dev.build_module(nn.Residual[tuple[nn.Linear[10, 10], nn.Tanh]], f32)
fh: Tensor[Rank2[4, 10], f32, Cpu] = res.f(h)
print("residual adds its input:", np.allclose(res(h).numpy(), (h + fh).numpy(), atol=1e-6))
assert np.allclose(res(h).numpy(), (h + fh).numpy(), atol=1e-6)

# Parameters are named like a PyTorch state_dict ("0.0.weight", "1.f.0.bias", ...).
for name, p in model.named_parameters():
    print(f"  {name:12s} {p.shape}")
print("parameters:", model.num_params())
assert model.num_params() == (5 * 10 + 10) + (10 * 10 + 10) + (10 * 2 + 2)

# Repeated[A, N]: N independent copies of A, one after the other.
Deep = tuple[nn.Linear[5, 8], nn.Repeated[tuple[nn.Linear[8, 8], nn.ReLU], 3], nn.Linear[8, 1]]
deep = dev.build_module(Deep, f32)
z: Tensor[Rank2[4, 1], f32, Cpu] = deep(x)
copies = [name for name, _ in deep[1].children()]
print("repeated model", z.shape, "copies in the middle:", copies)
assert copies == ["0", "1", "2"]
