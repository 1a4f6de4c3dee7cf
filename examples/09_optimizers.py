"""09: optimizers. Fit a small regression with Sgd and with Adam and watch the loss go down.

The training step is dfdx's: forward_mut on a traced input, backward, `opt.update`,
`zero_grads`.
"""

from typing import Final

import numpy as np

from dfdx_py import Cpu, Rank2, Tensor, f32, losses, nn, optim

N: Final = 64
STEPS: Final = 150

dev = Cpu(seed=0)

# The data: y = sin(2 x0) + x1 x2 on 64 random points.
x: Tensor[Rank2[64, 3], f32, Cpu] = dev.sample_uniform((N, 3), low=-1.0, high=1.0)
xs = x.numpy()
y: Tensor[Rank2[64, 1], f32, Cpu] = dev.tensor(
    (np.sin(2 * xs[:, :1]) + xs[:, 1:2] * xs[:, 2:3]).astype(np.float32), shape=(N, 1)
)

Model = tuple[nn.Linear[3, 32], nn.Tanh, nn.Linear[32, 1]]


def train(model: nn.Module, opt: optim.Sgd | optim.Adam) -> list[float]:
    """Fit ``model`` with ``opt``; the loss after every step."""
    grads = model.alloc_grads()
    history = []
    for _ in range(STEPS):
        pred: Tensor[Rank2[64, 1], f32, Cpu] = model.forward_mut(x.traced(grads))
        loss = losses.mse_loss(pred, y)
        grads = loss.backward()
        opt.update(model, grads)  # new parameters from the gradients
        model.zero_grads(grads)  # and start the next step from zero
        history.append(loss.item())
    return history


# The same start for both: a device with the same seed builds the same parameters.
sgd_model = Cpu(seed=1).build_module(Model, f32)
# dfdx's Momentum::Classic(0.9); momentum=0.9, nesterov=True is Momentum::Nesterov(0.9).
sgd = train(sgd_model, optim.Sgd(sgd_model, lr=0.1, momentum=0.9))
adam_model = Cpu(seed=1).build_module(Model, f32)
adam = train(adam_model, optim.Adam(adam_model, lr=1e-2))

for name, history in (("sgd", sgd), ("adam", adam)):
    steps = "  ".join(f"{i}: {history[i]:.4f}" for i in (0, 10, 50, 100, STEPS - 1))
    print(f"{name:4s} loss at step {steps}")
    assert history[-1] < history[0] / 10, f"{name} did not learn"
