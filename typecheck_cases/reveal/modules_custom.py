"""Custom modules: model(x) runs the module's own forward signature, its type variables
solved against the input; the fields are architectures."""

from typing import Literal as L
from typing import TypeVar, assert_type

import dfdx_py as dfdx
from dfdx_py import Cpu, Tensor, f32, f64, nn

B = TypeVar("B", bound=int)
E = TypeVar("E", bound=dfdx.DType)
D = TypeVar("D", bound=dfdx.Device)
dev = Cpu(seed=0)


class Mlp(nn.Module):
    l1: nn.Linear[784, 128]
    l2: nn.Linear[128, 10]

    def forward(self, x: Tensor[tuple[B, L[784]], E, D]) -> Tensor[tuple[B, L[10]], E, D]:
        assert_type(self.l1, nn.Linear[784, 128])
        hidden = self.l1(x).relu()
        assert_type(hidden, Tensor[tuple[B, L[128]], E, D])
        return self.l2(hidden)


class Classifier(nn.Module):
    """A custom module using another one and a sequential field."""

    body: Mlp
    head: tuple[nn.ReLU, nn.Linear[10, 2]]

    def forward(self, x: Tensor[tuple[B, L[784]], f32, Cpu]) -> Tensor[tuple[B, L[2]], f32, Cpu]:
        return self.head(self.body(x))


mlp = dev.build_module(Mlp, f32)
assert_type(mlp(dev.zeros((64, 784))), Tensor[tuple[L[64], L[10]], f32, Cpu])
assert_type(mlp(dev.zeros((3, 784), dtype=f64)), Tensor[tuple[L[3], L[10]], f64, Cpu])
assert_type(mlp.forward_mut(dev.zeros((2, 784))), Tensor[tuple[L[2], L[10]], f32, Cpu])
clf = dev.build_module(Classifier, f32)
assert_type(clf(dev.zeros((5, 784))), Tensor[tuple[L[5], L[2]], f32, Cpu])
assert_type(clf.head, nn.Sequential[tuple[nn.ReLU, nn.Linear[10, 2]]])

stack = dev.build_module(tuple[nn.Linear[32, 784], Mlp, nn.Softmax], f32)
assert_type(stack(dev.zeros((7, 32))), Tensor[tuple[L[7], L[10]], f32, Cpu])
assert_type(
    dev.build_module(nn.Repeated[nn.Residual[tuple[Mlp, nn.Linear[10, 784]]], 2], f32)(
        dev.zeros((2, 784))
    ),
    Tensor[tuple[L[2], L[784]], f32, Cpu],
)


def dyn(n: int) -> None:
    # a Dyn width is never a static error: forward sees the width it declares
    assert_type(mlp(dev.zeros((4, n))), Tensor[tuple[L[4], L[10]], f32, Cpu])
