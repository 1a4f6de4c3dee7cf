"""03: gradients. Trace a tensor, compute a Rank0 loss, call backward, read the gradients.

Then fit a line with plain gradient descent, written with ops and the tape only.
"""

import dfdx_py as dfdx
from dfdx_py import Cpu, Rank0, Rank1, Tensor, f32

dev = Cpu(seed=0)

# d/dx sum(x^2) = 2x
x: Tensor[Rank1[3], f32, Cpu] = dev.tensor([1.0, -2.0, 3.0])
grads = dfdx.Gradients()
loss: Tensor[Rank0, f32, Cpu] = x.trace(grads).square().sum()
grads = loss.backward()
print("d/dx sum(x^2) =", grads.get(x).numpy().tolist())

# Several leaves on one store: one backward fills them all.
a = dev.tensor([1.0, 2.0])
b = dev.tensor([3.0, 4.0])
g = dfdx.Gradients()
(a.trace(g) * b.trace(g)).sum().backward()
print("d/da =", g.get(a).numpy().tolist(), "d/db =", g.get(b).numpy().tolist())

# Gradients accumulate across backward calls until zeroed.
g.zero()
for _ in range(3):
    g = (a.traced(g) * 2.0).sum().backward()
print("d/da of 2a, accumulated three times:", g.get(a).numpy().tolist())

# Fit y = 3x - 1 by gradient descent.
xs = dev.sample_uniform((64,), low=-1.0, high=1.0)
ys = xs * 3.0 - 1.0
w: Tensor[Rank0, f32, Cpu] = dev.tensor(0.0)
bias: Tensor[Rank0, f32, Cpu] = dev.tensor(0.0)
for _ in range(200):
    fit = dfdx.Gradients()
    w_t, b_t = w.trace(fit), bias.trace(fit)
    # No implicit broadcasting: a Rank0 parameter is broadcast to the batch explicitly.
    pred = xs * w_t.broadcast_to((64,)) + b_t.broadcast_to((64,))
    mse = (pred - ys).square().mean()
    fit = mse.backward()
    w = w - fit.get(w) * 0.5
    bias = bias - fit.get(bias) * 0.5
print(f"fitted w={w.item():.3f} b={bias.item():.3f} (true 3, -1), final mse={mse.item():.2e}")
assert abs(w.item() - 3.0) < 1e-2 and abs(bias.item() + 1.0) < 1e-2
