"""Multi-head attention and the transformers: widths, ranks, batch sizes, tuple inputs."""

from dfdx_py import Cpu, f32, i64, nn

dev = Cpu(seed=0)
q = dev.zeros((4, 6, 16))
mem = dev.zeros((4, 9, 16))

mha = dev.build_module(nn.MultiHeadAttention[16, 4], f32)
mha(dev.zeros((4, 6, 12)))  # E: nn.MultiHeadAttention[16, 4]: the last dim of q, k and v must be M=16: q (4, 6, 12), k (4, 6, 12), v (4, 6, 12)  [tensor-shape]
mha((q, mem, dev.zeros((4, 8, 16))))  # E: nn.MultiHeadAttention[16, 4]: k and v must have the same sequence length: q (4, 6, 16), k (4, 9, 16), v (4, 8, 16)
mha((q, dev.zeros((9, 16)), dev.zeros((9, 16))))  # E: q, k and v must all be batched or all unbatched
mha((q, dev.zeros((3, 9, 16)), dev.zeros((3, 9, 16))))  # E: q, k and v must have the same batch size
mha(dev.zeros((16,)))  # E: q must be (S1, M) or (B, S1, M)
mha((q, mem))  # E: nn.MultiHeadAttention[16, 4] takes a tuple (q, k, v), got a tuple of 2
mha(q.to_dtype(i64))  # E: nn.MultiHeadAttention[16, 4]: needs a float tensor, got i64  [tensor-dtype]
dev.build_module(nn.MultiHeadAttention[16, 4, 8, 8], f32)(dev.zeros((6, 8)))  # E: nn.MultiHeadAttention[16, 4, 8, 8]: the last dim of q, k and v must be M=16

enc = dev.build_module(nn.TransformerEncoder[16, 4, 32, 2], f32)
enc(dev.zeros((4, 6, 8)))  # E: nn.TransformerEncoder[16, 4, 32, 2]: x must be (S, 16) or (B, S, 16), got shape (4, 6, 8)
dev.build_module(nn.TransformerEncoderBlock[16, 4, 32], f32)(dev.zeros((16,)))  # E: nn.TransformerEncoderBlock[16, 4, 32]: x must be (S, 16) or (B, S, 16), got shape (16,)

dec = dev.build_module(nn.TransformerDecoder[16, 4, 32, 2], f32)
dec(q)  # E: nn.TransformerDecoder[16, 4, 32, 2] takes a tuple (tgt, mem), got a tensor of shape (4, 6, 16)
dec((q, dev.zeros((4, 9, 8))))  # E: nn.TransformerDecoder[16, 4, 32, 2]: mem must be (S, 16) or (B, S, 16), got shape (4, 9, 8)
dec((q, dev.zeros((9, 16))))  # E: tgt and mem must both be batched with the same batch size, or both unbatched: tgt (4, 6, 16), mem (9, 16)
dev.build_module(nn.TransformerDecoderBlock[16, 4, 32], f32)((q, dev.zeros((5, 9, 16))))  # E: tgt and mem must both be batched with the same batch size

tr = dev.build_module(nn.Transformer[16, 4, 2, 2, 32], f32)
tr((dev.zeros((4, 12, 15)), q))  # E: nn.Transformer[16, 4, 2, 2, 32]: src must be (S, 16) or (B, S, 16), got shape (4, 12, 15)
tr((q, q, q))  # E: nn.Transformer[16, 4, 2, 2, 32] takes a tuple (src, tgt), got a tuple of 3
