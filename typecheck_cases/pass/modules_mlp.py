"""A custom module trained for a few steps: its fields are architectures, its forward is
generic in the batch size, and model(x) is typed by that forward."""

from typing import Final, TypeVar, assert_type
from typing import Literal as L

import numpy as np

import dfdx_py as dfdx
from dfdx_py import Cpu, Rank2, Tensor, f32, losses, nn, optim

B = TypeVar("B", bound=int)
E = TypeVar("E", bound=dfdx.DType)
D = TypeVar("D", bound=dfdx.Device)
HIDDEN: Final = 32


class Mlp(nn.Module):
    """16 -> 32 -> 4, with a residual block in the middle."""

    l1: nn.Linear[16, HIDDEN]
    block: nn.Residual[tuple[nn.Linear[HIDDEN, HIDDEN], nn.Tanh]]
    head: tuple[nn.ReLU, nn.Linear[HIDDEN, 4]]

    def forward(self, x: Tensor[tuple[B, L[16]], E, D]) -> Tensor[tuple[B, L[4]], E, D]:
        hidden = self.block(self.l1(x).tanh())
        assert_type(hidden, Tensor[tuple[B, L[32]], E, D])
        return self.head(hidden)


dev = Cpu(seed=0)
model = dev.build_module(Mlp, f32)
assert_type(model.head[1], nn.Linear[32, 4])  # the tuple field is built into a Sequential
assert model.num_params() == 16 * 32 + 32 + 32 * 32 + 32 + 32 * 4 + 4

x: Tensor[Rank2[64, 16], f32, Cpu] = dev.sample_normal((64, 16))
labels = np.arange(64) % 4
target: Tensor[Rank2[64, 4], f32, Cpu] = dev.tensor(
    np.eye(4, dtype=np.float32)[labels], shape=(64, 4)
)

opt = optim.Adam(model, lr=1e-2)
grads = model.alloc_grads()
history: list[float] = []
for _ in range(20):
    logits = model.forward_mut(x.traced(grads))
    assert_type(logits, Tensor[tuple[L[64], L[4]], f32, Cpu])
    loss = losses.cross_entropy_with_logits_loss(logits, target)
    grads = loss.backward()
    opt.update(model, grads)
    model.zero_grads(grads)
    history.append(loss.item())
assert history[-1] < history[0], history

one = model(x[0:1])
assert_type(one, Tensor[tuple[L[1], L[4]], f32, Cpu])
assert one.shape == (1, 4)
