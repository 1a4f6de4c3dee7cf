"""Creation: the shape written as a value becomes the static shape."""

from typing import Any, Final, Literal, assert_type

import numpy as np

from dfdx_py import Cpu, Tensor, bool_, f32, f64, i64

dev = Cpu(seed=0)
N: Final = 784
H: Final = N // 28

assert_type(dev.zeros((64, 784)), Tensor[tuple[Literal[64], Literal[784]], f32, Cpu])
assert_type(dev.zeros((64, N)), Tensor[tuple[Literal[64], Literal[784]], f32, Cpu])
assert_type(dev.zeros((H, 2 * 3)), Tensor[tuple[Literal[28], Literal[6]], f32, Cpu])
assert_type(dev.ones((2, 3), dtype=f64), Tensor[tuple[Literal[2], Literal[3]], f64, Cpu])
assert_type(dev.full((4,), 7.0), Tensor[tuple[Literal[4]], f32, Cpu])
assert_type(dev.zeros(()), Tensor[tuple[()], f32, Cpu])
assert_type(dev.sample_normal((8, 16)), Tensor[tuple[Literal[8], Literal[16]], f32, Cpu])
assert_type(
    dev.sample_uniform((4,), low=-1.0, high=1.0, dtype=f64), Tensor[tuple[Literal[4]], f64, Cpu]
)
assert_type(dev.arange(10), Tensor[tuple[Literal[10]], i64, Cpu])


SHAPE: Final = (2, 3)
assert_type(dev.zeros(SHAPE), Tensor[tuple[Literal[2], Literal[3]], f32, Cpu])


def dynamic(n: int, images: np.ndarray[Any, Any]) -> None:
    """An int variable is a Dyn dim; a numpy array has the declared shape."""
    assert_type(dev.zeros((n, 784)), Tensor[tuple[int, Literal[784]], f32, Cpu])
    assert_type(dev.arange(n), Tensor[tuple[int], i64, Cpu])
    assert_type(dev.tensor(images, shape=(n, 784)), Tensor[tuple[int, Literal[784]], Any, Cpu])
    shape = (n, 3)
    assert_type(dev.ones(shape), Tensor[tuple[int, int], f32, Cpu])


# dev.tensor: the shape of the nested lists, the dtype of their elements
assert_type(dev.tensor([[1.0, 2.0], [3.0, 4.0]]), Tensor[tuple[Literal[2], Literal[2]], f32, Cpu])
assert_type(dev.tensor([1, 2, 3]), Tensor[tuple[Literal[3]], i64, Cpu])
assert_type(dev.tensor([True, False]), Tensor[tuple[Literal[2]], bool_, Cpu])
assert_type(dev.tensor([1, 2.5]), Tensor[tuple[Literal[2]], f32, Cpu])
assert_type(dev.tensor(3.0), Tensor[tuple[()], f32, Cpu])
assert_type(dev.tensor([[1, 2]], dtype=f64), Tensor[tuple[Literal[1], Literal[2]], f64, Cpu])
assert_type(
    dev.tensor([[1.0, 2.0, 3.0]], shape=(1, 3)), Tensor[tuple[Literal[1], Literal[3]], f32, Cpu]
)
