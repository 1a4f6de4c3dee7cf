"""Sequential models and combinators: the failing item is named, with both shapes."""

from dfdx_py import Cpu, f32, nn

dev = Cpu(seed=0)
x = dev.zeros((64, 784))

Model = tuple[nn.Linear[784, 512], nn.ReLU, nn.Linear[256, 10]]
model = dev.build_module(Model, f32)
model(x)  # E: item 2 of the Sequential: nn.Linear[256, 10] expects last dim 256, got 512: input shape (64, 512), expected (..., 256)  [tensor-shape]
model.forward_mut(x)  # E: item 2 of the Sequential: nn.Linear[256, 10] expects last dim 256, got 512
model(dev.zeros((64, 100)))  # E: item 0 of the Sequential: nn.Linear[784, 512] expects last dim 784, got 100

Nested = tuple[nn.Linear[784, 256], tuple[nn.ReLU, nn.Linear[512, 10]]]
dev.build_module(Nested, f32)(x)  # E: item 1.1 of the Sequential: nn.Linear[512, 10] expects last dim 512, got 256

ConvNet = tuple[nn.Conv2D[1, 4, 3], nn.ReLU, nn.Flatten2D, nn.Linear[3136, 10]]
dev.build_module(ConvNet, f32)(dev.zeros((8, 1, 28, 28)))  # E: item 3 of the Sequential: nn.Linear[3136, 10] expects last dim 3136, got 2704: input shape (8, 2704), expected (..., 3136)

res = dev.build_module(nn.Residual[tuple[nn.Linear[10, 12], nn.Tanh]], f32)
res(dev.zeros((2, 10)))  # E: nn.Residual[tuple[nn.Linear[10, 12], nn.Tanh]]: F must keep the shape of its input: x has shape (2, 10), F(x) has shape (2, 12)
res(dev.zeros((2, 11)))  # E: F of nn.Residual: item 0 of the Sequential: nn.Linear[10, 12] expects last dim 10, got 11

gres = dev.build_module(nn.GeneralizedResidual[nn.Linear[4, 8], nn.Linear[4, 7]], f32)
gres(dev.zeros((2, 4)))  # E: F(x) and R(x) must have the same shape: F(x) has shape (2, 8), R(x) has shape (2, 7)
gres2 = dev.build_module(nn.GeneralizedResidual[nn.Linear[4, 8], nn.Linear[5, 8]], f32)
gres2(dev.zeros((2, 4)))  # E: R of nn.GeneralizedResidual: nn.Linear[5, 8] expects last dim 5, got 4

heads = dev.build_module(nn.SplitInto[nn.Linear[8, 2], nn.Linear[9, 1]], f32)
heads(dev.zeros((5, 8)))  # E: branch 1 of nn.SplitInto: nn.Linear[9, 1] expects last dim 9, got 8

add = dev.build_module(nn.AddInto[nn.Linear[2, 5], nn.Linear[3, 5]], f32)
add(dev.zeros((4, 2)))  # E: nn.AddInto[nn.Linear[2, 5], nn.Linear[3, 5]] takes a tuple of 2 inputs, one per module, got a tensor of shape (4, 2)
add((dev.zeros((4, 2)),))  # E: takes a tuple of 2 inputs, one per module, got 1: ((4, 2),)
add((dev.zeros((4, 2)), dev.zeros((4, 2))))  # E: branch 1 of nn.AddInto: nn.Linear[3, 5] expects last dim 3, got 2
add2 = dev.build_module(nn.AddInto[nn.Linear[2, 5], nn.Linear[3, 6]], f32)
add2((dev.zeros((4, 2)), dev.zeros((4, 3))))  # E: the outputs must have the same shape to be added: inputs ((4, 2), (4, 3)) gave outputs ((4, 5), (4, 6))

rep = dev.build_module(nn.Repeated[tuple[nn.Linear[10, 12], nn.ReLU], 3], f32)
rep(dev.zeros((3, 10)))  # E: copy 1 of nn.Repeated: item 0 of the Sequential: nn.Linear[10, 12] expects last dim 10, got 12
deep = dev.build_module(tuple[nn.ReLU, nn.Repeated[nn.Residual[nn.Linear[4, 4]], 2]], f32)
deep(dev.zeros((2, 5)))  # E: item 1 of the Sequential: copy 0 of nn.Repeated: F of nn.Residual: nn.Linear[4, 4] expects last dim 4, got 5
