"""06: building a module and running it forward.

An architecture is a type (`nn.Linear[5, 10]`); `dev.build_module(Arch, f32)` gives it
parameters on a device. `model(x)` is inference, `model.forward_mut(x)` training mode.
"""

from typing import Final

import numpy as np

from dfdx_py import Cpu, Rank1, Rank2, Tensor, f32, f64, nn

dev = Cpu(seed=0)

# A Linear layer: weight (10, 5) and bias (10,), initialised U(±1/√5) as in PyTorch.
lin = dev.build_module(nn.Linear[5, 10], f32)
print(lin)
print("weight", lin.weight.shape, "bias", lin.bias.shape, "params", lin.num_params())
assert lin.num_params() == 5 * 10 + 10

# Forward: a batch (B, 5) -> (B, 10), or a single sample (5,) -> (10,).
# Static dims are int literals or Final constants.
BATCH: Final = 3
x: Tensor[Rank2[3, 5], f32, Cpu] = dev.sample_normal((BATCH, 5))
y: Tensor[Rank2[3, 10], f32, Cpu] = lin(x)
one: Tensor[Rank1[10], f32, Cpu] = lin(dev.sample_normal((5,)))
print("batch", x.shape, "->", y.shape, "| one sample ->", one.shape)

# It is x Wᵀ + b, nothing more.
expected = x.numpy() @ lin.weight.numpy().T + lin.bias.numpy()
assert np.allclose(y.numpy(), expected, atol=1e-6)

# A tuple of architectures is a sequential model (more in 07).
Mlp = tuple[nn.Linear[5, 16], nn.ReLU, nn.Linear[16, 2]]
mlp = dev.build_module(Mlp, f32)
out: Tensor[Rank2[3, 2], f32, Cpu] = mlp(x)
print("mlp", x.shape, "->", out.shape, "with", mlp.num_params(), "parameters")

# Same seed, same parameters: building is reproducible.
again = Cpu(seed=0).build_module(nn.Linear[5, 10], f32)
assert np.array_equal(again.weight.numpy(), lin.weight.numpy())

# The dtype is chosen at build time; inputs must match it.
lin64 = dev.build_module(nn.Linear[5, 10], f64)
print("f64 model gives", lin64(dev.sample_normal((BATCH, 5), dtype=f64)).dtype)

# Inference and training mode agree for a model without dropout or batch norm.
assert np.allclose(mlp(x).numpy(), mlp.forward_mut(x).numpy())
