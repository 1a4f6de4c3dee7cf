"""A small convolutional pipeline: conv, pool, flatten, matmul; and the other conv ops."""

from typing import Literal, assert_type

from dfdx_py import Cpu, Tensor, f32
from dfdx_py.ops import conv1d, conv2d, conv_transpose2d, pool2d, upscale2d

dev = Cpu(seed=0)
images = dev.sample_normal((8, 3, 32, 32))
kernel = dev.sample_normal((16, 3, 3, 3), std=0.1)

features = conv2d(images, kernel, stride=1, padding=1).relu()
assert_type(features, Tensor[tuple[Literal[8], Literal[16], Literal[32], Literal[32]], f32, Cpu])
pooled = pool2d(features, "max", 2, stride=2)
assert_type(pooled, Tensor[tuple[Literal[8], Literal[16], Literal[16], Literal[16]], f32, Cpu])
flat = pooled.reshape((8, -1))
assert_type(flat, Tensor[tuple[Literal[8], Literal[4096]], f32, Cpu])
logits = flat @ dev.sample_normal((4096, 10), std=0.01)
assert logits.shape == (8, 10)

grouped = conv2d(images[0], dev.zeros((6, 1, 3, 3)), dilation=2, groups=3)
assert grouped.shape == (6, 28, 28)
assert conv1d(dev.zeros((2, 4, 10)), dev.zeros((6, 4, 3)), stride=2).shape == (2, 6, 4)
up = conv_transpose2d(dev.zeros((3, 4, 4)), dev.zeros((3, 5, 3, 3)), stride=2, padding=1)
assert_type(up, Tensor[tuple[Literal[5], Literal[7], Literal[7]], f32, Cpu])
assert up.shape == (5, 7, 7)
big = upscale2d(images, (64, 48), mode="bilinear")
assert big.shape == (8, 3, 64, 48)
assert pool2d(images, "avg", 3, padding=1).shape == (8, 3, 32, 32)
