"""11: gradient accumulation. Train on a big batch in small pieces: gradients add up across
backward calls until `zero_grads`, so 4 micro-batches of 8 give the gradient of one batch
of 32 (each micro-batch loss scaled by 1/4, as the big batch's mean would)."""

from typing import Final

import numpy as np

import dfdx_py as dfdx
from dfdx_py import Cpu, Rank2, Tensor, f32, losses, nn, optim

BATCH: Final = 32
MICRO: Final = 8  # the micro-batch size
STEPS = BATCH // MICRO

dev = Cpu(seed=0)
Model = tuple[nn.Linear[6, 16], nn.ReLU, nn.Linear[16, 3]]
model = dev.build_module(Model, f32)

x: Tensor[Rank2[32, 6], f32, Cpu] = dev.sample_normal((BATCH, 6))
labels = np.arange(BATCH) % 3
y: Tensor[Rank2[32, 3], f32, Cpu] = dfdx.data.one_hot_encode(labels, 3, dev)

# One big batch.
grads = model.alloc_grads()
big_loss = losses.cross_entropy_with_logits_loss(model.forward_mut(x.traced(grads)), y)
grads = big_loss.backward()
big = {name: grads.get(p).numpy() for name, p in model.named_parameters()}

# The same, accumulated over 4 micro-batches of 8 (a fresh store: nothing left over).
grads = model.alloc_grads()
total = 0.0
for i in range(STEPS):
    xi: Tensor[Rank2[8, 6], f32, Cpu] = x[i * MICRO : (i + 1) * MICRO].realize((MICRO, 6))
    yi: Tensor[Rank2[8, 3], f32, Cpu] = y[i * MICRO : (i + 1) * MICRO].realize((MICRO, 3))
    loss = losses.cross_entropy_with_logits_loss(model.forward_mut(xi.traced(grads)), yi)
    grads = (loss * (1.0 / STEPS)).backward()  # no zero_grads in between: they add up
    total += loss.item() / STEPS
    print(f"micro-batch {i}: loss {loss.item():.4f}")

print(f"mean of the micro-batch losses {total:.6f}, big-batch loss {big_loss.item():.6f}")
for name, p in model.named_parameters():
    diff = float(np.abs(grads.get(p).numpy() - big[name]).max())
    print(f"  {name:9s} max |accumulated - big batch| = {diff:.1e}")
    assert np.allclose(grads.get(p).numpy(), big[name], atol=1e-6)

# Then one optimizer step with the accumulated gradients, and zero them for the next round.
opt = optim.Adam(model, lr=1e-3)
opt.update(model, grads)
model.zero_grads(grads)
print("one update from", BATCH, "samples in micro-batches of", MICRO)
