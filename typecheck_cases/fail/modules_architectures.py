"""Architecture arguments, checked where the type is written: as an annotation, in an alias
and as a runtime value (the static mirror of each module's check_arch_args)."""

from typing import Final, Literal

from dfdx_py import Cpu, f32, i64, nn

dev = Cpu(seed=0)
WIDTH: Final = 64

a1: nn.Linear[5]  # E: nn.Linear takes 2 arguments (in_features, out_features), got 1  [tensor-shape]
a2: nn.Linear[5, 10, 15]  # E: nn.Linear takes 2 arguments (in_features, out_features), got 3
a3: nn.Linear[-5, 10]  # E: nn.Linear: in_features must be an int >= 0, got -5
a4: nn.Linear[int, 10]  # E: nn.Linear: in_features must be an int >= 0, got int
a5: nn.Linear[True, 10]  # E: nn.Linear: in_features must be an int >= 0, got True
a6: nn.MultiHeadAttention[WIDTH, 7]  # E: nn.MultiHeadAttention: num_heads H=7 must divide embed_dim M=64, k_dim K=64 and v_dim V=64 (each head gets an equal slice)  [tensor-shape]
a7: nn.MultiHeadAttention[64, 8, 60]  # E: num_heads H=8 must divide embed_dim M=64, k_dim K=60 and v_dim V=64
a8: nn.Conv2D[3, 8, 3, 1, 0, 1, 2]  # E: nn.Conv2D: groups=2 must divide in_channels=3
a9: nn.Conv1D[4, 6, 3, 1, 0, 1, 4]  # E: nn.Conv1D: groups=4 must divide out_channels=6
a10: nn.ConvTrans2D[4, 8, 0]  # E: nn.ConvTrans2D: kernel_size must be an int >= 1, got 0
a11: nn.MaxPool2D[2, 1, 2]  # E: nn.MaxPool2D: padding 2 must be smaller than the kernel 2
a12: nn.AvgPool2D[3, 0]  # E: nn.AvgPool2D: stride must be an int >= 1, got 0
a13: nn.Reshape[-1, -1]  # E: nn.Reshape: at most one dim may be -1, got (-1, -1)
a14: nn.Reshape[-2, 4]  # E: nn.Reshape: each dim must be an int >= 0 or -1, got -2
a15: nn.Upscale2D[4, 4, Literal["cubic"]]  # E: nn.Upscale2D: mode must be 'nearest' or 'bilinear', got 'cubic'
a16: nn.Upscale2D[0, 4]  # E: nn.Upscale2D: height must be an int >= 1, got 0
a17: nn.DropoutOneIn[1]  # E: nn.DropoutOneIn: N must be an int >= 2 (p = 1/N < 1), got 1
a18: nn.TransformerEncoderBlock[16, 5, 32]  # E: nn.TransformerEncoderBlock[16, 5, 32]: nn.MultiHeadAttention: num_heads H=5 must divide embed_dim M=16
a19: nn.Residual[nn.Linear]  # E: nn.Residual: F is nn.Linear, which needs its arguments: nn.Linear[in_features, out_features]
a20: nn.Residual[nn.ReLU, nn.ReLU]  # E: nn.Residual takes 1 architecture (F), got 2
a21: nn.SplitInto[tuple[nn.Linear[1, 2], nn.ReLU]]  # E: nn.SplitInto takes 2 or more architectures, got 1 (write SplitInto[A, B], not SplitInto[tuple[A, B]])
a22: nn.Repeated[nn.ReLU, -1]  # E: nn.Repeated: N must be an int >= 0, got -1
a23: nn.GeneralizedResidual[nn.ReLU, 3]  # E: nn.GeneralizedResidual: R must be an architecture (a module class such as nn.Linear[5, 10], or a tuple[...] of them), got 3

Bad = tuple[nn.Linear[784, 128], nn.Conv2D[4, 6, 3, 1, 0, 1, 4]]  # E: nn.Conv2D: groups=4 must divide out_channels=6
BadBlock = nn.Residual[nn.BatchNorm2D[2, 2]]  # E: nn.BatchNorm2D takes 1 arguments (num_features), got 2

v1 = dev.build_module(nn.MultiHeadAttention[64, 7], f32)  # E: nn.MultiHeadAttention: num_heads H=7 must divide embed_dim M=64
v2 = dev.build_module(nn.Linear[5], f32)  # E: nn.Linear takes 2 arguments (in_features, out_features), got 1
v3 = dev.build_module(nn.Linear, f32)  # E: build_module: nn.Linear needs its arguments: nn.Linear[in_features, out_features]
Incomplete = tuple[nn.Linear[2, 2], nn.Embedding]
v4 = dev.build_module(Incomplete, f32)  # E: build_module: nn.Embedding needs its arguments: nn.Embedding[num_embeddings, embedding_dim]
v5 = dev.build_module(nn.Linear[2, 2], i64)  # E: build_module: needs a float dtype (f16, bf16, f32, f64, AMP[f16], AMP[bf16]), got i64  [tensor-dtype]
v6 = dev.build_module(nn.Conv2D[1, 8, 3, 2, 1 - 2], f32)  # E: nn.Conv2D: padding must be an int >= 0, got -1
v7 = dev.build_module(nn.ReLU[3], f32)  # E: nn.ReLU takes 0 arguments (), got 1
a24: nn.ReLU[3]  # E: nn.ReLU takes 0 arguments (), got 1
v9 = dev.build_module(nn.Residual[nn.Linear[5]], f32)  # E: nn.Linear takes 2 arguments (in_features, out_features), got 1
v10 = dev.build_module(nn.Upscale2D[4, 4, "cubic"], f32)  # E: nn.Upscale2D: mode must be 'nearest' or 'bilinear', got 'cubic'
v8 = dev.build_module(nn.Repeated[nn.Linear[2, 2], "two"], f32)  # E: nn.Repeated: N must be an int >= 0, got 'two'


class Broken(nn.Module):
    """The default init builds each annotated architecture: each must be complete."""

    l1: nn.Linear  # E: Broken.l1: nn.Linear needs its arguments: nn.Linear[in_features, out_features] (build_module builds each field)
    l2: tuple[nn.ReLU, nn.Conv2D]  # E: Broken.l2: nn.Conv2D needs its arguments
    act: nn.ReLU
