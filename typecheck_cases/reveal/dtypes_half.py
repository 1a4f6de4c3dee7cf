"""Half precision and mixed precision: f16, bf16, AMP[f16] and AMP[bf16] are float dtypes
like f32 for every rule (creation, elementwise, reductions, softmax, matmul, conv, losses,
modules), each a dtype of its own, and ``AMP[bf16]`` prints as such."""

from typing import Literal, TypeVar, assert_type

import dfdx_py as dfdx
from dfdx_py import (
    AMP,
    Cpu,
    Rank0,
    Rank1,
    Rank2,
    Tensor,
    bf16,
    bool_,
    f16,
    f32,
    f64,
    i64,
    losses,
    nn,
)

E = TypeVar("E", bound=dfdx.DType)
L2 = Literal[2]
L3 = Literal[3]
L4 = Literal[4]
L8 = Literal[8]
R23 = tuple[L2, L3]

dev = Cpu(seed=0)

# -- creation: dtype= gives the static dtype, AMP[...] included ------------------------------
h = dev.zeros((2, 3), dtype=f16)
b = dev.ones((2, 3), dtype=bf16)
a = dev.zeros((2, 3), dtype=AMP[bf16])
af = dev.full((2, 3), 0.5, dtype=AMP[f16])
assert_type(h, Tensor[R23, f16, Cpu])
assert_type(b, Tensor[R23, bf16, Cpu])
assert_type(a, Tensor[R23, AMP[bf16], Cpu])
assert_type(af, Tensor[R23, AMP[f16], Cpu])
assert_type(dev.sample_normal((2, 3), dtype=f16), Tensor[R23, f16, Cpu])
assert_type(dev.sample_normal((4,), std=0.1, dtype=AMP[bf16]), Tensor[tuple[L4], AMP[bf16], Cpu])
assert_type(dev.sample_uniform((2, 3), -1.0, 1.0, dtype=bf16), Tensor[R23, bf16, Cpu])
assert_type(dev.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=bf16), Tensor[R23, bf16, Cpu])
assert_type(dev.tensor([1.0, 2.0], dtype=AMP[bf16]), Tensor[tuple[L2], AMP[bf16], Cpu])
assert_type(dev.tensor([1, 2], shape=(2,), dtype=f16), Tensor[tuple[L2], f16, Cpu])

# -- to_dtype: to and from every float dtype ---------------------------------------------------
x = dev.zeros((2, 3))
assert_type(x.to_dtype(f16), Tensor[R23, f16, Cpu])
assert_type(x.to_dtype(bf16), Tensor[R23, bf16, Cpu])
assert_type(x.to_dtype(AMP[f16]), Tensor[R23, AMP[f16], Cpu])
assert_type(x.to_dtype(AMP[bf16]), Tensor[R23, AMP[bf16], Cpu])
assert_type(a.to_dtype(f32), Tensor[R23, f32, Cpu])
assert_type(a.to_dtype(bf16), Tensor[R23, bf16, Cpu])
assert_type(b.to_dtype(AMP[bf16]), Tensor[R23, AMP[bf16], Cpu])
assert_type(h.to_dtype(f64), Tensor[R23, f64, Cpu])
assert_type(af.to_dtype(i64), Tensor[R23, i64, Cpu])

# -- elementwise, reductions, softmax: the dtype is kept ---------------------------------------
assert_type(a + a, Tensor[R23, AMP[bf16], Cpu])
assert_type(a * 2.0 - 1, Tensor[R23, AMP[bf16], Cpu])
assert_type(1.0 / (a.exp() + 1.0), Tensor[R23, AMP[bf16], Cpu])
assert_type(h / h, Tensor[R23, f16, Cpu])
assert_type(dfdx.maximum(b, b.relu()), Tensor[R23, bf16, Cpu])
assert_type(a.sigmoid().tanh().sqrt().ln().powi(2), Tensor[R23, AMP[bf16], Cpu])
assert_type(a > 0.0, Tensor[R23, bool_, Cpu])
assert_type(dfdx.choose(h > 0.0, h, -h), Tensor[R23, f16, Cpu])
assert_type(a.sum(), Tensor[Rank0, AMP[bf16], Cpu])
assert_type(a.mean(0), Tensor[tuple[L3], AMP[bf16], Cpu])
assert_type(b.max(-1), Tensor[tuple[L2], bf16, Cpu])
assert_type(af.var(1), Tensor[tuple[L2], AMP[f16], Cpu])
assert_type(a.logsumexp(-1), Tensor[tuple[L2], AMP[bf16], Cpu])
assert_type(a.softmax(-1), Tensor[R23, AMP[bf16], Cpu])
assert_type(h.log_softmax(0), Tensor[R23, f16, Cpu])
assert_type(b.normalize(-1), Tensor[R23, bf16, Cpu])

# -- shape ops, matmul, conv -------------------------------------------------------------------
assert_type(a.reshape((3, 2)), Tensor[tuple[L3, L2], AMP[bf16], Cpu])
assert_type(a.permute((1, 0)), Tensor[tuple[L3, L2], AMP[bf16], Cpu])
assert_type(dfdx.concat((a, a), 0), Tensor[tuple[L4, L3], AMP[bf16], Cpu])
assert_type(dfdx.stack([h, h]), Tensor[tuple[L2, L2, L3], f16, Cpu])
assert_type(a @ a.permute((1, 0)), Tensor[tuple[L2, L2], AMP[bf16], Cpu])
assert_type(dfdx.matmul(b, dev.zeros((3, 4), dtype=bf16)), Tensor[tuple[L2, L4], bf16, Cpu])
img = dev.zeros((2, 3, 8, 8), dtype=AMP[bf16])
kernel = dev.zeros((4, 3, 3, 3), dtype=AMP[bf16])
assert_type(dfdx.conv2d(img, kernel, padding=1), Tensor[tuple[L2, L4, L8, L8], AMP[bf16], Cpu])
assert_type(dfdx.pool2d(img, "max", 2, 2), Tensor[tuple[L2, L3, L4, L4], AMP[bf16], Cpu])

# -- the tape ------------------------------------------------------------------------------------
traced = a.trace()
assert_type(traced, Tensor[R23, AMP[bf16], Cpu])
assert_type(traced.sum().backward().get(a), Tensor[R23, AMP[bf16], Cpu])

# -- losses: the prediction's dtype --------------------------------------------------------------
assert_type(losses.mse_loss(a, a), Tensor[Rank0, AMP[bf16], Cpu])
assert_type(losses.cross_entropy_with_logits_loss(h, h.softmax()), Tensor[Rank0, f16, Cpu])
assert_type(losses.huber_loss(b, b, 0.5), Tensor[Rank0, bf16, Cpu])

# -- annotations and generic code --------------------------------------------------------------
annotated: Tensor[Rank2[2, 3], AMP[bf16], Cpu] = a
vector: Tensor[Rank1[3], f16, Cpu] = h[0]


def double(t: Tensor[Rank2[2, 3], E, Cpu]) -> Tensor[Rank2[2, 3], E, Cpu]:
    return t + t


assert_type(double(a), Tensor[R23, AMP[bf16], Cpu])
assert_type(double(b), Tensor[R23, bf16, Cpu])

# -- modules: a model built with a dtype computes in that dtype -------------------------------
Mlp = tuple[nn.Linear[3, 8], nn.ReLU, nn.Linear[8, 4]]
amp_model = dev.build_module(Mlp, AMP[bf16])
assert_type(amp_model, nn.Sequential[Mlp])  # the dtype is not part of the architecture
assert_type(amp_model(a), Tensor[tuple[L2, L4], AMP[bf16], Cpu])
assert_type(amp_model.forward_mut(a.trace()), Tensor[tuple[L2, L4], AMP[bf16], Cpu])
assert_type(amp_model[0](a), Tensor[tuple[L2, L8], AMP[bf16], Cpu])
assert_type(dev.build_module(Mlp, bf16)(b), Tensor[tuple[L2, L4], bf16, Cpu])
assert_type(dev.build_module(nn.Linear[3, 4], f16)(h), Tensor[tuple[L2, L4], f16, Cpu])
assert_type(dev.build_module(Mlp, AMP[f16])(af), Tensor[tuple[L2, L4], AMP[f16], Cpu])
# Modules without parameters take any float input, whatever the model's dtype.
assert_type(dev.build_module(nn.ReLU, bf16)(x), Tensor[R23, f32, Cpu])
assert_type(dev.build_module(nn.Softmax, AMP[bf16])(h), Tensor[R23, f16, Cpu])
# An embedding's output has the model's dtype.
tokens = dev.tensor([[1, 2, 3], [4, 5, 6]])
embed = dev.build_module(nn.Embedding[10, 4], AMP[bf16])
assert_type(embed(tokens), Tensor[tuple[L2, L3, L4], AMP[bf16], Cpu])
assert_type(
    dev.build_module(tuple[nn.Embedding[10, 4], nn.Linear[4, 2]], f16)(tokens),
    Tensor[tuple[L2, L3, L2], f16, Cpu],
)
conv = dev.build_module(tuple[nn.Conv2D[3, 4, 3, 1, 1], nn.ReLU, nn.AvgPoolGlobal], AMP[bf16])
assert_type(conv(img), Tensor[tuple[L2, L4], AMP[bf16], Cpu])
norm = dev.build_module(tuple[nn.LayerNorm1D[3], nn.Residual[nn.Linear[3, 3]]], bf16)
assert_type(norm(b), Tensor[R23, bf16, Cpu])
assert_type(
    losses.mse_loss(amp_model(a), dev.zeros((2, 4), dtype=AMP[bf16])), Tensor[Rank0, AMP[bf16], Cpu]
)
# map_tensors may change the dtype: the copy's is unknown, any float input is accepted.
as_bf16 = amp_model.map_tensors(lambda t: t.to_dtype(bf16))
assert_type(as_bf16(b), Tensor[tuple[L2, L4], bf16, Cpu])
# .to(device) keeps it.
assert_type(amp_model.to(Cpu(seed=1))(a), Tensor[tuple[L2, L4], AMP[bf16], Cpu])
