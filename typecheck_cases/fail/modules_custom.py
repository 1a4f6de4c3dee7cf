"""Custom modules: their own forward decides (type variables bound per call); Dyn dims are
never a static error; the fields are checked as architectures."""

from typing import Literal as L
from typing import TypeVar

from dfdx_py import Cpu, Tensor, f32, f64, nn

B = TypeVar("B", bound=int)
dev = Cpu(seed=0)


class Mlp(nn.Module):
    l1: nn.Linear[784, 128]
    l2: nn.Linear[128, 10]

    def forward(self, x: Tensor[tuple[B, L[784]], f32, Cpu]) -> Tensor[tuple[B, L[10]], f32, Cpu]:
        return self.l2(self.l1(x).relu())


class Wrong(nn.Module):
    l1: nn.Linear[784, 128]
    l2: nn.Linear[256, 10]

    def forward(self, x: Tensor[tuple[B, L[784]], f32, Cpu]) -> Tensor[tuple[B, L[10]], f32, Cpu]:
        return self.l2(self.l1(x))  # E: nn.Linear[256, 10] expects last dim 256, got 128: input shape (B, 128), expected (..., 256)


class Pair(nn.Module):
    a: Mlp

    def forward(self, x: Tensor[tuple[B, B], f32, Cpu]) -> Tensor[tuple[B, B], f32, Cpu]:
        return x


mlp = dev.build_module(Mlp, f32)
mlp(dev.zeros((64, 100)))  # E: Mlp.forward expects x of shape (B, 784), got (64, 100): axis 1: expected 784, got 100  [tensor-shape]
mlp(dev.zeros((784,)))  # E: Mlp.forward expects x of shape (B, 784), got (784,): rank 1 != 2
mlp(dev.zeros((64, 784), dtype=f64))  # E: Mlp.forward expects x with dtype f32, got f64  [tensor-dtype]
mlp.forward_mut(dev.zeros((2, 783)))  # E: Mlp.forward expects x of shape (B, 784), got (2, 783)
dev.build_module(Pair, f32)(dev.zeros((3, 4)))  # E: Pair.forward expects x of shape (B, B), got (3, 4): axis 1: B is 3 at an earlier axis, got 4
dev.build_module(tuple[nn.Linear[10, 784], Mlp], f32)(dev.zeros((5, 10)))  # OK
dev.build_module(tuple[nn.Linear[10, 700], Mlp], f32)(dev.zeros((5, 10)))  # E: item 1 of the Sequential: Mlp.forward expects x of shape (B, 784), got (5, 700)
mlp("text")  # E: Argument 1 to "forward" of "Mlp" has incompatible type "str"


def dyn(n: int) -> Tensor[tuple[L[4], L[10]], f32, Cpu]:
    return mlp(dev.zeros((4, n)))  # a Dyn width: checked at run time, not here
