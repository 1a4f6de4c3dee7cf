"""A convolutional network as a tuple alias: conv, batch norm, pooling, flatten, linear;
every shape is computed statically and matches the run."""

from typing import Literal as L
from typing import assert_type

from dfdx_py import Cpu, Tensor, f32, losses, nn, optim

ConvBlock = tuple[nn.Conv2D[1, 8, 3, 1, 1], nn.BatchNorm2D[8], nn.ReLU, nn.MaxPool2D[2, 2]]
Model = tuple[
    ConvBlock,
    nn.Conv2D[8, 16, 3, 2, 1],
    nn.Bias2D[16],
    nn.ReLU,
    nn.Flatten2D,
    nn.Linear[784, 10],
]

dev = Cpu(seed=0)
model = dev.build_module(Model, f32)
images = dev.sample_normal((4, 1, 28, 28))
assert_type(model(images), Tensor[tuple[L[4], L[10]], f32, Cpu])
assert_type(model[0](images), Tensor[tuple[L[4], L[8], L[14], L[14]], f32, Cpu])
assert model(images).shape == (4, 10)
assert model[0](images).shape == (4, 8, 14, 14)

grads = model.alloc_grads()
logits = model.forward_mut(images.traced(grads))
target = dev.zeros((4, 10))
grads = losses.cross_entropy_with_logits_loss(logits, target).backward()
optim.Sgd(model, lr=0.1).update(model, grads)

# Global pooling, transposed convolution and upscaling, as runtime values.
features = dev.build_module(nn.AvgPoolGlobal, f32)(dev.zeros((4, 8, 7, 7)))
assert_type(features, Tensor[tuple[L[4], L[8]], f32, Cpu])
up = dev.build_module(nn.ConvTrans2D[8, 3, 4, 2, 1], f32)(dev.zeros((2, 8, 16, 16)))
assert_type(up, Tensor[tuple[L[2], L[3], L[32], L[32]], f32, Cpu])
assert up.shape == (2, 3, 32, 32)
big = dev.build_module(nn.Upscale2D[48, 40, "bilinear"], f32)(up)
assert_type(big, Tensor[tuple[L[2], L[3], L[48], L[40]], f32, Cpu])
assert big.shape == (2, 3, 48, 40)
flat = dev.build_module(nn.Reshape[2, -1], f32)(big)
assert_type(flat, Tensor[tuple[L[2], L[5760]], f32, Cpu])
assert flat.shape == (2, 5760)
