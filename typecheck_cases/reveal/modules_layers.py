"""The output of every layer: shapes from the architecture, dtype and device from the input."""

from typing import Any, Literal, TypeVar, assert_type

from dfdx_py import Cpu, Tensor, f32, f64, i64, nn

B = TypeVar("B", bound=int)
S = TypeVar("S", bound=tuple[int, ...])
dev = Cpu(seed=0)
L2 = Literal[2]
L3 = Literal[3]
L4 = Literal[4]
L8 = Literal[8]
L10 = Literal[10]
L16 = Literal[16]
L32 = Literal[32]
X = tuple[L4, Literal[784]]
X10 = tuple[L4, L10]
x = dev.zeros((4, 784))
img = dev.zeros((8, 3, 32, 32))

lin = dev.build_module(nn.Linear[784, 10], f32)
assert_type(lin(x), Tensor[tuple[L4, L10], f32, Cpu])
assert_type(lin.forward_mut(x), Tensor[tuple[L4, L10], f32, Cpu])
assert_type(lin.forward(x), Tensor[tuple[L4, L10], f32, Cpu])
assert_type(lin(dev.zeros((784,))), Tensor[tuple[L10], f32, Cpu])
assert_type(dev.build_module(nn.Linear[784, 10], f64)(x.to_dtype(f64)), Tensor[X10, f64, Cpu])
assert_type(lin(dev.zeros((2, 3, 784))), Tensor[tuple[L2, L3, L10], f32, Cpu])
unbiased = dev.build_module(nn.UnbiasedLinear[784, 10], f32)
assert_type(unbiased(x), Tensor[tuple[L4, L10], f32, Cpu])

tokens = dev.tensor([[1, 5, 5], [0, 2, 9]], shape=(2, 3), dtype=i64)
emb = dev.build_module(nn.Embedding[100, 16], f32)
assert_type(emb(tokens), Tensor[tuple[L2, L3, L16], f32, Cpu])  # the model's dtype

assert_type(dev.build_module(nn.LayerNorm1D[784], f32)(x), Tensor[X, f32, Cpu])
assert_type(dev.build_module(nn.Bias1D[784], f32)(x), Tensor[X, f32, Cpu])
assert_type(
    dev.build_module(nn.BatchNorm1D[3], f32)(dev.zeros((4, 3, 10))),
    Tensor[tuple[L4, L3, L10], f32, Cpu],
)
assert_type(
    dev.build_module(nn.BatchNorm2D[3], f32)(img), Tensor[tuple[L8, L3, L32, L32], f32, Cpu]
)
assert_type(dev.build_module(nn.Bias2D[3], f32)(img[0]), Tensor[tuple[L3, L32, L32], f32, Cpu])

assert_type(
    dev.build_module(nn.Conv2D[3, 16, 3], f32)(img),
    Tensor[tuple[L8, L16, Literal[30], Literal[30]], f32, Cpu],
)
assert_type(
    dev.build_module(nn.Conv2D[3, 16, 3, 2, 1], f32)(img),
    Tensor[tuple[L8, L16, L16, L16], f32, Cpu],
)
assert_type(
    dev.build_module(nn.Conv2D[3, 6, 3, 1, 0, 2, 3], f32)(img),
    Tensor[tuple[L8, Literal[6], Literal[28], Literal[28]], f32, Cpu],
)
assert_type(
    dev.build_module(nn.Conv1D[4, 8, 3, 1, 1], f32)(dev.zeros((2, 4, 10))),
    Tensor[tuple[L2, L8, L10], f32, Cpu],
)
assert_type(
    dev.build_module(nn.ConvTrans2D[3, 4, 4, 2, 1], f32)(img),
    Tensor[tuple[L8, L4, Literal[64], Literal[64]], f32, Cpu],
)

assert_type(
    dev.build_module(nn.MaxPool2D[2, 2], f32)(img), Tensor[tuple[L8, L3, L16, L16], f32, Cpu]
)
assert_type(
    dev.build_module(nn.AvgPool2D[3, 1, 1], f32)(img), Tensor[tuple[L8, L3, L32, L32], f32, Cpu]
)
assert_type(
    dev.build_module(nn.MinPool2D[2], f32)(img[0]),
    Tensor[tuple[L3, Literal[31], Literal[31]], f32, Cpu],
)
assert_type(dev.build_module(nn.AvgPoolGlobal, f32)(img), Tensor[tuple[L8, L3], f32, Cpu])
assert_type(dev.build_module(nn.MaxPoolGlobal, f32)(img[0]), Tensor[tuple[L3], f32, Cpu])
assert_type(
    dev.build_module(nn.MinPoolGlobal, f32)(img.to_dtype(i64)), Tensor[tuple[L8, L3], i64, Cpu]
)

assert_type(dev.build_module(nn.Flatten2D, f32)(img), Tensor[tuple[L8, Literal[3072]], f32, Cpu])
assert_type(
    dev.build_module(nn.Reshape[-1, 28, 28], f32)(x),
    Tensor[tuple[L4, Literal[28], Literal[28]], f32, Cpu],
)
assert_type(
    dev.build_module(nn.Upscale2D[64, 48], f32)(img),
    Tensor[tuple[L8, L3, Literal[64], Literal[48]], f32, Cpu],
)
assert_type(
    dev.build_module(nn.Upscale2D[64, 64, "bilinear"], f32)(img[0]),
    Tensor[tuple[L3, Literal[64], Literal[64]], f32, Cpu],
)

assert_type(dev.build_module(nn.ReLU, f32)(x), Tensor[X, f32, Cpu])
assert_type(dev.build_module(nn.GeLU, f32)(x), Tensor[X, f32, Cpu])
assert_type(dev.build_module(nn.Sigmoid, f32)(x), Tensor[X, f32, Cpu])
assert_type(dev.build_module(nn.Tanh, f32)(x), Tensor[X, f32, Cpu])
assert_type(dev.build_module(nn.Softmax, f32)(x), Tensor[X, f32, Cpu])
assert_type(dev.build_module(nn.LogSoftmax, f32)(x), Tensor[X, f32, Cpu])
assert_type(dev.build_module(nn.LeakyReLU, f32)(x), Tensor[X, f32, Cpu])
assert_type(dev.build_module(nn.PReLU, f32)(x), Tensor[X, f32, Cpu])
assert_type(dev.build_module(nn.Sin, f32)(x), Tensor[X, f32, Cpu])
assert_type(dev.build_module(nn.Cos, f32)(x), Tensor[X, f32, Cpu])
assert_type(dev.build_module(nn.Exp, f32)(x), Tensor[X, f32, Cpu])
assert_type(dev.build_module(nn.Ln, f32)(x), Tensor[X, f32, Cpu])
assert_type(dev.build_module(nn.Square, f32)(x), Tensor[X, f32, Cpu])
assert_type(dev.build_module(nn.Sqrt, f32)(x), Tensor[X, f32, Cpu])
assert_type(dev.build_module(nn.Abs, f32)(x.to_dtype(i64)), Tensor[X, i64, Cpu])
assert_type(dev.build_module(nn.Dropout, f32).forward_mut(x), Tensor[X, f32, Cpu])
assert_type(dev.build_module(nn.DropoutOneIn[10], f32)(x), Tensor[X, f32, Cpu])


def symbolic(batch: Tensor[tuple[B, Literal[784]], f32, Cpu]) -> Tensor[tuple[B, L10], f32, Cpu]:
    assert_type(lin(batch), Tensor[tuple[B, L10], f32, Cpu])
    return lin(batch)


def dyn(n: int) -> None:
    assert_type(lin(dev.zeros((n, 784))), Tensor[tuple[int, L10], f32, Cpu])
    assert_type(lin(dev.zeros((2, n))), Tensor[tuple[L2, L10], f32, Cpu])  # checked at run time
    unknown = dev.build_module(nn.Linear[n, 10], f32)
    assert_type(unknown(x), Tensor[Any, f32, Cpu])


def any_shape(t: Tensor[S, f32, Cpu]) -> None:
    assert_type(dev.build_module(nn.ReLU, f32)(t), Tensor[S, f32, Cpu])
    assert_type(lin(t), Tensor[Any, f32, Cpu])


def bare(m: nn.Linear, t: Tensor[tuple[L4, L8], f32, Cpu]) -> None:
    assert_type(m(t), Tensor[Any, f32, Cpu])  # the arguments of a bare class are unknown
