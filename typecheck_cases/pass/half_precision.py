"""Half and mixed precision on the Cpu: f16, bf16 and AMP[bf16] tensors, and a small model
built with AMP[bf16] doing a forward and a backward pass. Each static dtype is the runtime
one."""

from typing import Literal as L
from typing import assert_type

import dfdx_py as dfdx
from dfdx_py import AMP, Cpu, Rank0, Tensor, bf16, f16, f32, losses, nn

dev = Cpu(seed=0)

# f16 and bf16 tensors: created, computed on, converted.
h = dev.sample_normal((4, 8), dtype=f16)
b = dev.sample_uniform((8, 2), -1.0, 1.0, dtype=bf16)
assert_type(h, Tensor[tuple[L[4], L[8]], f16, Cpu])
assert h.dtype is f16 and b.dtype is bf16

hh = (h + h).relu() @ h.permute((1, 0))
assert_type(hh, Tensor[tuple[L[4], L[4]], f16, Cpu])
assert hh.dtype is f16 and hh.shape == (4, 4)

bb = b.to_dtype(f32).softmax(-1).sum(0)
assert_type(bb, Tensor[tuple[L[2]], f32, Cpu])
assert bb.dtype is f32 and abs(bb.sum().item() - 8.0) < 1e-3

# AMP[bf16]: stored in bf16, a dtype of its own.
x = h.to_dtype(AMP[bf16])
assert_type(x, Tensor[tuple[L[4], L[8]], AMP[bf16], Cpu])
assert x.dtype is AMP[bf16]
assert x.numpy().dtype == bf16.numpy  # the storage is bf16

y = dfdx.matmul(x, b.to_dtype(AMP[bf16])) + 1.0
assert_type(y, Tensor[tuple[L[4], L[2]], AMP[bf16], Cpu])
assert y.dtype is AMP[bf16] and y.shape == (4, 2)
probs = y.softmax(-1)
assert_type(probs.sum(), Tensor[Rank0, AMP[bf16], Cpu])
assert abs(probs.sum().item() - 4.0) < 0.05

# A model built with AMP[bf16]: its parameters are AMP[bf16], so is its output.
Mlp = tuple[nn.Linear[8, 16], nn.ReLU, nn.Linear[16, 2]]
model = dev.build_module(Mlp, AMP[bf16])
assert model[0].weight.dtype is AMP[bf16]

grads = model.alloc_grads()
logits = model.forward_mut(x.traced(grads))
assert_type(logits, Tensor[tuple[L[4], L[2]], AMP[bf16], Cpu])
assert logits.dtype is AMP[bf16] and logits.shape == (4, 2)

target = dev.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]], dtype=AMP[bf16])
loss = losses.cross_entropy_with_logits_loss(logits, target)
assert_type(loss, Tensor[Rank0, AMP[bf16], Cpu])
grads = loss.backward()
weight_grad = grads.get(model[0].weight)
assert weight_grad.shape == (16, 8) and weight_grad.dtype is AMP[bf16]

# Inference, and the same model in plain bf16.
out = model(x)
assert_type(out, Tensor[tuple[L[4], L[2]], AMP[bf16], Cpu])
plain = dev.build_module(Mlp, bf16)
z = plain(b.permute((1, 0)) * 0.5)
assert_type(z, Tensor[tuple[L[2], L[2]], bf16, Cpu])
assert z.dtype is bf16 and z.shape == (2, 2)
