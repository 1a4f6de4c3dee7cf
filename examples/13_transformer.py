"""13: a small transformer encoder, trained for a few steps.

Each input is a sequence of 8 tokens (0..9); the target at every position is the largest
token in the whole sequence, so each position must look at the others: attention's job.
"""

from typing import Final

import numpy as np

from dfdx_py import Cpu, Rank0, Rank2, Rank3, Tensor, f32, i64, losses, nn, optim
from dfdx_py.data import one_hot_encode

BATCH: Final = 32
SEQ: Final = 8
VOCAB: Final = 10

dev = Cpu(seed=0)

# TransformerEncoder[M, H, F, L]: model dim 32, 4 heads, feed-forward 64, 2 layers (post-norm,
# no dropout, as in dfdx).
Model = tuple[
    nn.Embedding[10, 32],  # token ids (B, S) -> vectors (B, S, 32)
    nn.TransformerEncoder[32, 4, 64, 2],
    nn.Linear[32, 10],  # a score per class at every position: (B, S, 10)
]
model = dev.build_module(Model, f32)
print(f"{model.num_params()} parameters")

rng = np.random.default_rng(0)
opt = optim.Adam(model, lr=3e-3)
grads = model.alloc_grads()
history = []
for step in range(60):
    tokens = rng.integers(0, VOCAB, size=(BATCH, SEQ))
    x: Tensor[Rank2[32, 8], i64, Cpu] = dev.tensor(tokens, shape=(BATCH, SEQ))
    target: Tensor[Rank3[32, 8, 10], f32, Cpu] = one_hot_encode(
        np.repeat(tokens.max(1, keepdims=True), SEQ, axis=1), VOCAB, dev
    )
    # Token ids carry the tape into the model (they get no gradient themselves).
    traced_ids = x.traced(grads)  # type: ignore[tensor-dtype]  # the plugin still wants floats
    logits: Tensor[Rank3[32, 8, 10], f32, Cpu] = model.forward_mut(traced_ids)
    loss: Tensor[Rank0, f32, Cpu] = losses.cross_entropy_with_logits_loss(logits, target)
    grads = loss.backward()
    opt.update(model, grads)
    model.zero_grads(grads)
    history.append(loss.item())
    if step % 20 == 0:
        print(f"step {step:2d}: loss {loss.item():.4f}")

# Fresh sequences: how often is the largest token predicted?
tokens = rng.integers(0, VOCAB, size=(BATCH, SEQ))
scores: Tensor[Rank3[32, 8, 10], f32, Cpu] = model(dev.tensor(tokens, shape=(BATCH, SEQ)))
accuracy = float((scores.numpy().argmax(-1) == tokens.max(1, keepdims=True)).mean())
print(f"loss {history[0]:.3f} -> {history[-1]:.3f}; accuracy on new sequences {accuracy:.0%}")
assert history[-1] < history[0] / 2
