"""12: a network with two heads. SplitInto feeds one input to several modules and returns
a tuple: here a shared trunk, then a classification head and a regression head trained
together on the sum of their losses."""

from typing import Final

import dfdx_py as dfdx
from dfdx_py import Cpu, Rank2, Tensor, f32, losses, nn, optim

N: Final = 64

dev = Cpu(seed=0)

Model = tuple[
    tuple[nn.Linear[4, 32], nn.ReLU],  # the shared trunk
    nn.SplitInto[nn.Linear[32, 3], nn.Linear[32, 1]],  # (class logits, a value)
]
model = dev.build_module(Model, f32)

# The tasks: which of the first 3 features is largest, and the sum of all 4.
x: Tensor[Rank2[64, 4], f32, Cpu] = dev.sample_normal((N, 4))
xs = x.numpy()
classes: Tensor[Rank2[64, 3], f32, Cpu] = dfdx.data.one_hot_encode(xs[:, :3].argmax(1), 3, dev)
value: Tensor[Rank2[64, 1], f32, Cpu] = dev.tensor(xs.sum(1, keepdims=True), shape=(N, 1))

logits: Tensor[Rank2[64, 3], f32, Cpu]
pred: Tensor[Rank2[64, 1], f32, Cpu]
logits, pred = model(x)
print("one input", x.shape, "-> two outputs", logits.shape, pred.shape)

opt = optim.Adam(model, lr=1e-2)
grads = model.alloc_grads()
history = []
for step in range(151):
    logits, pred = model.forward_mut(x.traced(grads))
    ce = losses.cross_entropy_with_logits_loss(logits, classes)
    mse = losses.mse_loss(pred, value)
    grads = (ce + mse).backward()  # one backward through both heads and the trunk
    opt.update(model, grads)
    model.zero_grads(grads)
    history.append((ce.item(), mse.item()))
    if step % 50 == 0:
        print(f"step {step:3d}: cross-entropy {ce.item():.4f}  mse {mse.item():.4f}")

logits, pred = model(x)
accuracy = float((logits.numpy().argmax(1) == xs[:, :3].argmax(1)).mean())
print(f"training accuracy of the class head: {accuracy:.0%}")
(ce0, mse0), (ce1, mse1) = history[0], history[-1]
assert ce1 < ce0 / 3 and mse1 < mse0 / 10 and accuracy > 0.9
