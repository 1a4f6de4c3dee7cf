"""Architecture types in both positions, and what build_module makes of them: a module class
carries its arguments (defaults filled in), a tuple[...] builds into a Sequential."""

from typing import Final, assert_type

from dfdx_py import Cpu, f32, nn

dev = Cpu(seed=0)
HIDDEN: Final = 128

Model = tuple[nn.Linear[784, HIDDEN], nn.ReLU, nn.Linear[HIDDEN, 10]]
Block = nn.Residual[tuple[nn.Linear[10, 10], nn.Tanh]]
Hidden = nn.Linear[784, 128]
Nested = tuple[tuple[nn.Linear[5, 10], nn.ReLU], Block, nn.Linear[10, 2]]

assert_type(dev.build_module(nn.Linear[784, 128], f32), nn.Linear[784, 128])
assert_type(dev.build_module(nn.Linear[784, 128], f32), Hidden)
assert_type(dev.build_module(Hidden, f32), nn.Linear[784, 128])
assert_type(dev.build_module(nn.ReLU, f32), nn.ReLU)
assert_type(dev.build_module(Model, f32), nn.Sequential[Model])
assert_type(
    dev.build_module(Model, f32),
    nn.Sequential[tuple[nn.Linear[784, 128], nn.ReLU, nn.Linear[128, 10]]],
)
assert_type(dev.build_module(Block, f32), Block)
assert_type(
    dev.build_module(Block, f32),
    nn.Residual[nn.Sequential[tuple[nn.Linear[10, 10], nn.Tanh]]],
)
assert_type(
    dev.build_module(Nested, f32),
    nn.Sequential[tuple[nn.Sequential[tuple[nn.Linear[5, 10], nn.ReLU]], Block, nn.Linear[10, 2]]],
)
assert_type(dev.build_module(tuple[nn.Linear[5, 10], nn.ReLU], f32)[0], nn.Linear[5, 10])
assert_type(dev.build_module(Model, f32)[-1], nn.Linear[128, 10])

# Defaults are part of the type: two spellings of one architecture are one type.
assert_type(dev.build_module(nn.Conv2D[1, 8, 3], f32), nn.Conv2D[1, 8, 3, 1, 0, 1, 1])
assert_type(dev.build_module(nn.MaxPool2D[2], f32), nn.MaxPool2D[2, 1, 0])
assert_type(
    dev.build_module(nn.MultiHeadAttention[64, 8], f32), nn.MultiHeadAttention[64, 8, 64, 64]
)
assert_type(dev.build_module(nn.Upscale2D[16, 16], f32), nn.Upscale2D[16, 16, "nearest"])
assert_type(dev.build_module(nn.Reshape[-1, 784], f32), nn.Reshape[-1, 784])
assert_type(
    dev.build_module(nn.Repeated[tuple[nn.Linear[4, 4], nn.ReLU], 3], f32),
    nn.Repeated[nn.Sequential[tuple[nn.Linear[4, 4], nn.ReLU]], 3],
)
assert_type(
    dev.build_module(nn.SplitInto[nn.Linear[8, 2], nn.Linear[8, 1]], f32),
    nn.SplitInto[nn.Linear[8, 2], nn.Linear[8, 1]],
)

# A value of an architecture type is the class with its arguments.
arch = nn.Linear[5, 10]
assert_type(dev.build_module(arch, f32), nn.Linear[5, 10])


def in_a_function(width: int) -> None:
    linear = nn.Linear[5, 10]
    assert_type(dev.build_module(linear, f32), nn.Linear[5, 10])
    # A width known only at run time: checked when the code runs.
    dyn: nn.Linear = dev.build_module(nn.Linear[width, 10], f32)
    assert_type(dyn, nn.Linear)


class Mlp(nn.Module):
    l1: nn.Linear[784, 128]
    body: tuple[nn.ReLU, nn.Linear[128, 10]]  # built into a Sequential


mlp = dev.build_module(Mlp, f32)
assert_type(mlp, Mlp)
assert_type(mlp.l1, nn.Linear[784, 128])
assert_type(mlp.body, nn.Sequential[tuple[nn.ReLU, nn.Linear[128, 10]]])
