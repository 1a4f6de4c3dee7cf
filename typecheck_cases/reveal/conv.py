"""Convolutions, pooling and upscaling: PyTorch's output-size formulas."""

from typing import Literal, assert_type

import dfdx_py.ops as dfdx
from dfdx_py import Cpu, Tensor, f32

dev = Cpu(seed=0)
img = dev.zeros((8, 3, 32, 32))
L8 = Literal[8]
L16 = Literal[16]

assert_type(
    dfdx.conv2d(img, dev.zeros((16, 3, 3, 3))),
    Tensor[tuple[L8, L16, Literal[30], Literal[30]], f32, Cpu],
)
assert_type(
    dfdx.conv2d(img, dev.zeros((16, 3, 3, 3)), stride=2, padding=1),
    Tensor[tuple[L8, L16, L16, L16], f32, Cpu],
)
assert_type(
    dfdx.conv2d(img, dev.zeros((16, 3, 5, 3)), padding=(2, 1), dilation=1),
    Tensor[tuple[L8, L16, Literal[32], Literal[32]], f32, Cpu],
)
assert_type(
    dfdx.conv2d(img[0], dev.zeros((6, 1, 3, 3)), dilation=2, groups=3),
    Tensor[tuple[Literal[6], Literal[28], Literal[28]], f32, Cpu],
)
assert_type(
    dfdx.conv1d(dev.zeros((2, 4, 10)), dev.zeros((6, 4, 3)), stride=2),
    Tensor[tuple[Literal[2], Literal[6], Literal[4]], f32, Cpu],
)
assert_type(
    dfdx.conv_transpose2d(dev.zeros((3, 4, 4)), dev.zeros((3, 5, 3, 3)), stride=2, padding=1),
    Tensor[tuple[Literal[5], Literal[7], Literal[7]], f32, Cpu],
)
assert_type(
    dfdx.conv_transpose2d(
        dev.zeros((1, 3, 4, 4)), dev.zeros((3, 5, 3, 3)), stride=2, output_padding=1
    ),
    Tensor[tuple[Literal[1], Literal[5], Literal[10], Literal[10]], f32, Cpu],
)
assert_type(dfdx.pool2d(img, "max", 2, stride=2), Tensor[tuple[L8, Literal[3], L16, L16], f32, Cpu])
assert_type(
    dfdx.pool2d(img, "avg", kernel=3, padding=1),
    Tensor[tuple[L8, Literal[3], Literal[32], Literal[32]], f32, Cpu],
)
assert_type(
    dfdx.upscale2d(img, (64, 48)), Tensor[tuple[L8, Literal[3], Literal[64], Literal[48]], f32, Cpu]
)


def dyn(x: Tensor[tuple[int, Literal[3], int, int], f32, Cpu], s: int) -> None:
    """Dyn sizes give Dyn outputs; a size-preserving conv keeps them."""
    w = dev.zeros((16, 3, 3, 3))
    assert_type(dfdx.conv2d(x, w, stride=2), Tensor[tuple[int, L16, int, int], f32, Cpu])
    assert_type(dfdx.conv2d(img, w, stride=s), Tensor[tuple[L8, L16, int, int], f32, Cpu])
