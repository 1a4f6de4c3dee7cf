"""A two-layer perceptron written with raw tensors: the batch dim is a symbol ``B``."""

from typing import Final, Literal, TypeVar, assert_type

from dfdx_py import Cpu, Gradients, Rank0, Rank1, Rank2, Tensor, f32

B = TypeVar("B", bound=int)
HIDDEN: Final = 128


def forward(
    x: Tensor[Rank2[B, 784], f32, Cpu],
    w1: Tensor[Rank2[784, 128], f32, Cpu],
    b1: Tensor[Rank1[128], f32, Cpu],
    w2: Tensor[Rank2[128, 10], f32, Cpu],
) -> Tensor[Rank2[B, 10], f32, Cpu]:
    bias = b1.broadcast_to((x.shape[0], HIDDEN))
    hidden = (x @ w1 + bias).relu()
    return hidden @ w2


def loss_fn(logits: Tensor[Rank2[B, 10], f32, Cpu]) -> Tensor[Rank0, f32, Cpu]:
    return logits.log_softmax(-1).mean()


dev = Cpu(seed=0)
grads = Gradients()
x = dev.sample_normal((64, 784))
w1 = dev.sample_normal((784, HIDDEN), std=0.05).trace(grads)
b1 = dev.zeros((HIDDEN,)).trace(grads)
w2 = dev.sample_normal((HIDDEN, 10), std=0.05).trace(grads)

logits = forward(x, w1, b1, w2)
assert_type(logits, Tensor[tuple[Literal[64], Literal[10]], f32, Cpu])
assert logits.shape == (64, 10)
loss = loss_fn(logits)
grads = loss.backward()
assert grads.get(w1).shape == (784, 128)
assert grads.get(b1).shape == (128,)
