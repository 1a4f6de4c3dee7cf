"""A small transformer: token embedding, an encoder stack, a decoder attending to it, and two
heads split from one body; shapes flow through attention statically."""

from typing import Literal as L
from typing import assert_type

import numpy as np

from dfdx_py import Cpu, Tensor, f32, i64, nn

dev = Cpu(seed=0)
Encoder = tuple[nn.Embedding[50, 16], nn.TransformerEncoder[16, 4, 32, 2]]
encoder = dev.build_module(Encoder, f32)
decoder = dev.build_module(nn.TransformerDecoder[16, 4, 32, 1], f32)
heads = dev.build_module(nn.SplitInto[nn.Linear[16, 50], tuple[nn.Linear[16, 1], nn.Tanh]], f32)

tokens = dev.tensor(np.arange(24).reshape(2, 12) % 50, shape=(2, 12), dtype=i64)
memory = encoder(tokens)  # the embedding's output has the model's dtype
assert_type(memory, Tensor[tuple[L[2], L[12], L[16]], f32, Cpu])
assert memory.shape == (2, 12, 16)

tgt = dev.sample_normal((2, 5, 16))
out = decoder((tgt, memory))
assert_type(out, Tensor[tuple[L[2], L[5], L[16]], f32, Cpu])
logits, value = heads(out)
assert_type(logits, Tensor[tuple[L[2], L[5], L[50]], f32, Cpu])
assert_type(value, Tensor[tuple[L[2], L[5], L[1]], f32, Cpu])
assert logits.shape == (2, 5, 50) and value.shape == (2, 5, 1)

attention = dev.build_module(nn.MultiHeadAttention[16, 2, 8, 12], f32)
cross = attention((tgt, memory, memory))
assert_type(cross, Tensor[tuple[L[2], L[5], L[16]], f32, Cpu])
assert cross.shape == (2, 5, 16)
full = dev.build_module(nn.Transformer[16, 4, 1, 1, 32], f32)
assert full((memory, tgt)).shape == (2, 5, 16)
