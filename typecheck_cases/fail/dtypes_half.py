"""Mixing dtypes is an error, half and mixed precision included: f16, bf16, AMP[f16] and
AMP[bf16] are four dtypes, none of them f32. Each message names both dtypes."""

import dfdx_py as dfdx
from dfdx_py import AMP, Cpu, bf16, f16, f32, i64, losses, nn

dev = Cpu(seed=0)
x = dev.zeros((2, 3))
h = dev.zeros((2, 3), dtype=f16)
b = dev.zeros((2, 3), dtype=bf16)
a = dev.zeros((2, 3), dtype=AMP[bf16])
af = dev.zeros((2, 3), dtype=AMP[f16])

# -- ops of two tensors ------------------------------------------------------------------------
h + x  # E: add: dtypes differ: f16 vs f32 (left vs right); convert one with to_dtype  [tensor-dtype]
b * a  # E: mul: dtypes differ: bf16 vs AMP[bf16] (left vs right); convert one with to_dtype  [tensor-dtype]
h - b  # E: sub: dtypes differ: f16 vs bf16 (left vs right); convert one with to_dtype  [tensor-dtype]
af / a  # E: div: dtypes differ: AMP[f16] vs AMP[bf16] (left vs right); convert one with to_dtype  [tensor-dtype]
a + x.to_dtype(bf16)  # E: add: dtypes differ: AMP[bf16] vs bf16 (left vs right); convert one with to_dtype  [tensor-dtype]
_ = a > x  # E: gt: dtypes differ: AMP[bf16] vs f32 (left vs right); convert one with to_dtype  [tensor-dtype]
dfdx.maximum(h, af)  # E: maximum: dtypes differ: f16 vs AMP[f16] (left vs right); convert one with to_dtype  [tensor-dtype]
dfdx.choose(x > 0.0, a, b)  # E: choose: dtypes differ: AMP[bf16] vs bf16 (a vs b); convert one with to_dtype  [tensor-dtype]
dfdx.concat((a, x), 0)  # E: concat: dtypes differ: AMP[bf16] vs f32 (tensor 0 vs tensor 1); convert one with to_dtype  [tensor-dtype]
dfdx.stack([b, b, h])  # E: stack: dtypes differ: bf16 vs f16 (tensor 0 vs tensor 2); convert one with to_dtype  [tensor-dtype]
a @ dev.zeros((3, 4))  # E: matmul: dtypes differ: AMP[bf16] vs f32 (left vs right); convert one with to_dtype  [tensor-dtype]
dfdx.conv2d(dev.zeros((1, 3, 4, 4), dtype=bf16), dev.zeros((2, 3, 1, 1), dtype=AMP[bf16]))  # E: conv2d: dtypes differ: bf16 vs AMP[bf16] (x vs weight); convert one with to_dtype  [tensor-dtype]

# -- ops that take no float: an AMP tensor is one ----------------------------------------------
dfdx.choose(a, a, a)  # E: choose: needs a bool_ cond (compare first), got AMP[bf16]  [tensor-dtype]
x.select(dev.zeros((), dtype=AMP[bf16]))  # E: select: needs an i64 index tensor, got AMP[bf16]  [tensor-dtype]

# -- losses: the prediction and the target have one dtype ------------------------------------
losses.mse_loss(a, x)  # E: mse_loss: dtypes differ: AMP[bf16] vs f32 (pred vs target); convert one with to_dtype  [tensor-dtype]
losses.cross_entropy_with_logits_loss(h, b)  # E: cross_entropy_with_logits_loss: dtypes differ: f16 vs bf16 (logits vs target_probs); convert one with to_dtype  [tensor-dtype]
losses.huber_loss(b, a, 0.5)  # E: huber_loss: dtypes differ: bf16 vs AMP[bf16] (pred vs target); convert one with to_dtype  [tensor-dtype]
losses.mse_loss(dev.zeros((2, 3), dtype=i64), dev.zeros((2, 3), dtype=i64))  # E: mse_loss: needs float tensors, got pred i64 and target i64  [tensor-dtype]
losses.mae_loss(a, dev.zeros((3, 2), dtype=AMP[bf16]))  # E: mae_loss: shapes differ: (2, 3) vs (3, 2): axis 0: 2 != 3 (pred vs target)  [tensor-shape]

# -- modules: the input has the dtype the model was built with --------------------------------
Mlp = tuple[nn.Linear[3, 8], nn.ReLU, nn.Linear[8, 4]]
amp_model = dev.build_module(Mlp, AMP[bf16])
amp_model(x)  # E: item 0 of the Sequential: nn.Linear[3, 8]: dtypes differ: f32 vs AMP[bf16] (input vs parameters); convert the input with .to_dtype(AMP[bf16])  [tensor-dtype]
amp_model.forward_mut(b)  # E: item 0 of the Sequential: nn.Linear[3, 8]: dtypes differ: bf16 vs AMP[bf16] (input vs parameters); convert the input with .to_dtype(AMP[bf16])  [tensor-dtype]
amp_model[2](dev.zeros((2, 8)))  # E: nn.Linear[8, 4]: dtypes differ: f32 vs AMP[bf16] (input vs parameters); convert the input with .to_dtype(AMP[bf16])  [tensor-dtype]
dev.build_module(nn.Linear[3, 4], bf16)(x)  # E: nn.Linear[3, 4]: dtypes differ: f32 vs bf16 (input vs parameters); convert the input with .to_dtype(bf16)  [tensor-dtype]
dev.build_module(nn.Linear[3, 4], f32)(h)  # E: nn.Linear[3, 4]: dtypes differ: f16 vs f32 (input vs parameters); convert the input with .to_dtype(f32)  [tensor-dtype]
dev.build_module(nn.Linear[3, 4])(af)  # E: nn.Linear[3, 4]: dtypes differ: AMP[f16] vs f32 (input vs parameters); convert the input with .to_dtype(f32)  [tensor-dtype]
dev.build_module(tuple[nn.ReLU, nn.LayerNorm1D[3]], f16)(x)  # E: item 1 of the Sequential: nn.LayerNorm1D[3]: dtypes differ: f32 vs f16 (input vs parameters); convert the input with .to_dtype(f16)  [tensor-dtype]
dev.build_module(nn.Residual[tuple[nn.Linear[3, 3], nn.Tanh]], bf16)(a)  # E: F of nn.Residual: item 0 of the Sequential: nn.Linear[3, 3]: dtypes differ: AMP[bf16] vs bf16 (input vs parameters); convert the input with .to_dtype(bf16)  [tensor-dtype]
dev.build_module(nn.Conv2D[3, 4, 1], AMP[bf16])(dev.zeros((1, 3, 4, 4)))  # E: nn.Conv2D[3, 4, 1]: dtypes differ: f32 vs AMP[bf16] (input vs parameters); convert the input with .to_dtype(AMP[bf16])  [tensor-dtype]
dev.build_module(nn.MultiHeadAttention[4, 2], bf16)(dev.zeros((2, 5, 4)))  # E: nn.MultiHeadAttention[4, 2]: dtypes differ: f32 vs bf16 (input vs parameters); convert the input with .to_dtype(bf16)  [tensor-dtype]
dev.build_module(nn.PReLU, AMP[bf16])(x)  # E: nn.PReLU: dtypes differ: f32 vs AMP[bf16] (input vs parameters); convert the input with .to_dtype(AMP[bf16])  [tensor-dtype]
losses.mse_loss(amp_model(a), dev.zeros((2, 4)))  # E: mse_loss: dtypes differ: AMP[bf16] vs f32 (pred vs target); convert one with to_dtype  [tensor-dtype]
dev.build_module(Mlp, i64)  # E: build_module: needs a float dtype (f16, bf16, f32, f64, AMP[f16], AMP[bf16]), got i64  [tensor-dtype]
amp_model.to(Cpu(seed=1))(b)  # E: item 0 of the Sequential: nn.Linear[3, 8]: dtypes differ: bf16 vs AMP[bf16] (input vs parameters)
