"""08: gradients of a module's parameters (dfdx's tape with modules).

`model.alloc_grads()` makes a store whose leaves are the parameters; a traced input brings
the tape into `forward_mut`; `loss.backward()` fills the store; `grads.get(param)` reads it.
"""

import numpy as np

from dfdx_py import Cpu, Rank0, Rank1, Rank2, Tensor, f32, losses, nn

dev = Cpu(seed=0)

model = dev.build_module(nn.Linear[4, 1], f32)
x: Tensor[Rank2[8, 4], f32, Cpu] = dev.sample_normal((8, 4))
y: Tensor[Rank2[8, 1], f32, Cpu] = dev.sample_normal((8, 1))

# 1. A store for the parameters' gradients.
grads = model.alloc_grads()
print("before backward, the weight's gradient reads", grads.get(model.weight).numpy().tolist())

# 2. Trace the input (traced hands x over to the tape) and run the model in training mode.
pred: Tensor[Rank2[8, 1], f32, Cpu] = model.forward_mut(x.traced(grads))
loss: Tensor[Rank0, f32, Cpu] = losses.mse_loss(pred, y)

# 3. Backward returns the filled store.
grads = loss.backward()
gw: Tensor[Rank2[1, 4], f32, Cpu] = grads.get(model.weight)
gb: Tensor[Rank1[1], f32, Cpu] = grads.get(model.bias)
print(f"loss {loss.item():.4f}")
print("d loss / d weight", gw.numpy().round(4), "d loss / d bias", gb.numpy().round(4))

# Check against the formula for mean squared error: dL/dW = 2/B (pred - y)ᵀ x.
err = pred.numpy() - y.numpy()
assert np.allclose(gw.numpy(), 2 / 8 * err.T @ x.numpy(), atol=1e-5)
assert np.allclose(gb.numpy(), 2 / 8 * err.sum(axis=0), atol=1e-5)

# The input is a leaf too: its gradient is in the same store.
gx: Tensor[Rank2[8, 4], f32, Cpu] = grads.get(x)
print("d loss / d x", gx.shape)

# 4. Gradients accumulate: a second forward/backward adds to them ...
pred = model.forward_mut(x.traced(grads))
grads = losses.mse_loss(pred, y).backward()
assert np.allclose(grads.get(model.weight).numpy(), 2 * gw.numpy(), atol=1e-5)
print("after a second backward the gradient doubled:", grads.get(model.weight).numpy().round(4))

# 5. ... until zero_grads resets them (do it after every optimizer step, see 09).
model.zero_grads(grads)
assert not grads.get(model.weight).numpy().any()
print("after zero_grads:", grads.get(model.weight).numpy().tolist())

# A tuple model works the same way; every parameter has a gradient after one backward.
mlp = dev.build_module(tuple[nn.Linear[4, 8], nn.ReLU, nn.Linear[8, 1]], f32)
g = mlp.alloc_grads()
g = losses.mse_loss(mlp.forward_mut(x.traced(g)), y).backward()
for name, p in mlp.named_parameters():
    print(f"  {name:9s} grad norm {float(np.linalg.norm(g.get(p).numpy())):.4f}")
