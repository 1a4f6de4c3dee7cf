"""Single layers fed the wrong input: the layer as written, both shapes, the axis; dtypes."""

from typing import Literal, TypeVar

from dfdx_py import Cpu, Tensor, f32, f64, i64, nn

B = TypeVar("B", bound=int)
dev = Cpu(seed=0)
x = dev.zeros((64, 256))
img = dev.zeros((8, 3, 32, 32))

lin = dev.build_module(nn.Linear[512, 10], f32)
lin(x)  # E: nn.Linear[512, 10] expects last dim 512, got 256: input shape (64, 256), expected (..., 512)  [tensor-shape]
lin.forward_mut(x)  # E: nn.Linear[512, 10] expects last dim 512, got 256
lin(dev.zeros((2, 2, 2, 512)))  # E: nn.Linear[512, 10] takes inputs of rank 1 to 3, got shape (2, 2, 2, 512)
lin(dev.zeros((), dtype=f32))  # E: nn.Linear[512, 10] expects last dim 512, got a Rank0 tensor (input shape ())
lin(dev.zeros((4, 512), dtype=i64))  # E: nn.Linear[512, 10]: needs a float tensor, got i64  [tensor-dtype]
lin((x, x))  # E: nn.Linear[512, 10] takes a tensor, got a tuple ((64, 256), (64, 256))
dev.build_module(nn.UnbiasedLinear[3, 4], f32)(dev.zeros((4,)))  # E: nn.UnbiasedLinear[3, 4] expects last dim 3, got 4: input shape (4,), expected (..., 3)


def symbolic(h: Tensor[tuple[B, Literal[128]], f32, Cpu]) -> None:
    lin(h)  # E: nn.Linear[512, 10] expects last dim 512, got 128: input shape (B, 128), expected (..., 512)


emb = dev.build_module(nn.Embedding[100, 16], f32)
emb(dev.zeros((2, 3)))  # E: nn.Embedding[100, 16] expects an i64 tensor of indices, got f32  [tensor-dtype]
norm = dev.build_module(nn.LayerNorm1D[16], f32)
norm(dev.zeros((4, 10, 15)))  # E: nn.LayerNorm1D[16] expects last dim 16, got 15: input shape (4, 10, 15), expected (..., 16)
dev.build_module(nn.Bias1D[8], f32)(dev.zeros((2, 4)))  # E: nn.Bias1D[8] expects last dim 8, got 4
dev.build_module(nn.Softmax, f32)(dev.zeros(()))  # E: nn.Softmax: axis -1 is out of range for shape () (rank 0)
dev.build_module(nn.Tanh, f32)(dev.zeros((2,), dtype=i64))  # E: nn.Tanh: needs a float tensor, got i64  [tensor-dtype]
dev.build_module(nn.PReLU, f32)(dev.zeros((2,), dtype=i64))  # E: nn.PReLU: needs a float tensor, got i64

bn1 = dev.build_module(nn.BatchNorm1D[8], f32)
bn1(dev.zeros((4, 7)))  # E: nn.BatchNorm1D[8] expects 8 channels at axis 1 of (B, C), got 7 (input shape (4, 7))
bn1(dev.zeros((4, 7, 10)))  # E: nn.BatchNorm1D[8] expects 8 channels at axis 1 of (B, C, L), got 7
bn1(dev.zeros((8,)))  # E: nn.BatchNorm1D[8] expects an input (B, C) or (B, C, L), got shape (8,)
bn1.forward_mut(dev.zeros((1, 8)))  # E: nn.BatchNorm1D[8] needs more than one value per channel to train, got input shape (1, 8)
bn2 = dev.build_module(nn.BatchNorm2D[3], f32)
bn2(dev.zeros((8, 4, 32, 32)))  # E: nn.BatchNorm2D[3] expects 3 channels at axis 1 of (B, C, H, W), got 4
bn2(dev.zeros((4, 32, 32)))  # E: nn.BatchNorm2D[3] expects 3 channels at axis 0 of (C, H, W), got 4
dev.build_module(nn.Bias2D[4], f32)(img)  # E: nn.Bias2D[4] expects 4 channels at axis 1 of (B, C, H, W), got 3

conv = dev.build_module(nn.Conv2D[4, 8, 3], f32)
conv(img)  # E: nn.Conv2D[4, 8, 3] expects 4 input channels at axis 1, got 3 (input shape (8, 3, 32, 32))
conv(dev.zeros((4, 32)))  # E: nn.Conv2D[4, 8, 3] expects an input (In, H, W) or (B, In, H, W), got shape (4, 32)
dev.build_module(nn.Conv2D[3, 8, 40], f32)(img)  # E: nn.Conv2D[3, 8, 40]: conv2d: output size -7 < 1 on spatial axis 0
dev.build_module(nn.Conv2D[3, 8, 3], f64)(img.to_dtype(i64))  # E: nn.Conv2D[3, 8, 3]: needs a float tensor, got i64
dev.build_module(nn.Conv1D[4, 8, 3], f32)(dev.zeros((2, 5, 10)))  # E: nn.Conv1D[4, 8, 3] expects 4 input channels at axis 1, got 5
dev.build_module(nn.Conv1D[4, 8, 3], f32)(dev.zeros((4, 2)))  # E: nn.Conv1D[4, 8, 3]: conv1d: output size 0 < 1 on spatial axis 0
dev.build_module(nn.ConvTrans2D[16, 3, 4, 2, 1], f32)(img)  # E: nn.ConvTrans2D[16, 3, 4, 2, 1] expects 16 input channels at axis 1, got 3

dev.build_module(nn.MaxPool2D[40], f32)(img)  # E: nn.MaxPool2D[40]: pool2d: output size -7 < 1 on spatial axis 0
dev.build_module(nn.AvgPool2D[2, 2], f32)(dev.zeros((32, 32)))  # E: nn.AvgPool2D[2, 2] expects an input (C, H, W) or (B, C, H, W), got shape (32, 32)
dev.build_module(nn.MinPoolGlobal, f32)(dev.zeros((3, 32)))  # E: nn.MinPoolGlobal expects an input (C, H, W) or (B, C, H, W), got shape (3, 32)
dev.build_module(nn.AvgPoolGlobal, f32)(img.to_dtype(i64))  # E: nn.AvgPoolGlobal: needs a float tensor, got i64
dev.build_module(nn.Flatten2D, f32)(dev.zeros((3, 32)))  # E: nn.Flatten2D expects an input (C, H, W) or (B, C, H, W), got shape (3, 32)
dev.build_module(nn.Reshape[-1, 7], f32)(x)  # E: nn.Reshape[-1, 7]: reshape: (64, 256) to (-1, 7): 16384 elements do not divide into 7
dev.build_module(nn.Reshape[4, 4], f32)(x)  # E: nn.Reshape[4, 4]: reshape: (64, 256) to (4, 4): element counts differ: 16384 != 16
dev.build_module(nn.Upscale2D[16, 64], f32)(img)  # E: nn.Upscale2D[16, 64]: upscale2d: (8, 3, 32, 32) to (16, 64): spatial axis 0: 16 < 32 (upscale2d only enlarges)
dev.build_module(nn.Upscale2D[64, 64, "bilinear"], f32)(x)  # E: nn.Upscale2D[64, 64, 'bilinear'] expects an input (C, H, W) or (B, C, H, W), got shape (64, 256)
