"""matmul: inner dims, batch dims, the six dfdx forms, dtypes and devices."""

from typing import TypeVar

from dfdx_py import Cpu, Rank2, Tensor, f32, f64, i64
from dfdx_py.ops import linear as linear_op
from dfdx_py.ops import matmul

dev = Cpu(seed=0)

dev.zeros((64, 512)) @ dev.zeros((256, 10))  # E: matmul: inner dims differ: (64, 512) @ (256, 10): 512 != 256  [tensor-shape]
matmul(dev.zeros((3,)), dev.zeros((4, 5)))  # E: matmul: inner dims differ: (3,) @ (4, 5): 3 != 4
dev.zeros((2, 3)) @ dev.zeros((4,))  # E: matmul: inner dims differ: (2, 3) @ (4,): 3 != 4
dev.zeros((5, 2, 3)) @ dev.zeros((6, 3, 4))  # E: matmul: batch dims differ: (5, 2, 3) @ (6, 3, 4): axis 0: 5 != 6
dev.zeros((5, 4, 2, 3)) @ dev.zeros((5, 3, 3, 4))  # E: matmul: batch dims differ: (5, 4, 2, 3) @ (5, 3, 3, 4): axis 1: 4 != 3
dev.zeros((3,)) @ dev.zeros((3,))  # E: matmul: no matmul form for ranks 1 @ 1: (3,) @ (3,) (forms: (K,) @ (K, N); (M, K) @ (K,); (M, K) @ (K, N); (B, M, K) @ (K, N); (B, M, K) @ (B, K, N); (B, S, M, K) @ (B, S, K, N))
dev.zeros((2, 2, 3)) @ dev.zeros((3,))  # E: matmul: no matmul form for ranks 3 @ 1
dev.zeros((2, 3)) @ dev.zeros((3, 4), dtype=f64)  # E: matmul: dtypes differ: f32 vs f64 (left vs right); convert one with to_dtype  [tensor-dtype]

B = TypeVar("B", bound=int)


def linear(x: Tensor[Rank2[B, 784], f32, Cpu], w: Tensor[Rank2[512, 10], f32, Cpu]) -> None:
    x @ w  # E: matmul: inner dims differ: (B, 784) @ (512, 10): 784 != 512
dev.arange(3) @ dev.zeros((3, 4), dtype=i64)  # E: matmul: needs a float tensor, got i64  [tensor-dtype]
linear_op(dev.zeros((64, 256)), dev.zeros((10, 512)))  # E: linear: inner dims differ: (64, 256) @ (10, 512)ᵀ: 256 != 512  [tensor-shape]
linear_op(dev.zeros((64, 512)), dev.zeros((10, 512)), dev.zeros((9,)))  # E: linear: bias must be (10,) for weight (10, 512), got (9,)
linear_op(dev.zeros((64, 512)), dev.zeros((512,)))  # E: linear: weight must be (out, in), got (512,)
linear_op(dev.zeros((2, 3)), dev.zeros((4, 3), dtype=f64))  # E: linear: dtypes differ
