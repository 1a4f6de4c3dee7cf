"""linear on the Cpu: numpy's BLAS, the weight read transposed in place."""

from collections.abc import Sequence
from typing import Any

import numpy as np

from dfdx_py.ops.cpu_common import in_f32, sum_axes
from dfdx_py.ops.linear import LINEAR
from dfdx_py.ops.matmul.cpu import blas_operand

Array = np.ndarray[Any, Any]


@LINEAR.register("cpu")
class LinearCpu:
    def forward(self, x: Array, weight: Array, bias: Array | None) -> Array:
        if x.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return in_f32(self.forward, x, weight, bias)
        y: Array = np.matmul(blas_operand(x), weight.T)
        if bias is not None:
            y += bias
        return y

    def backward(
        self, x: Array, weight: Array, grad_y: Array, needs: Sequence[bool]
    ) -> tuple[Array | None, Array | None, Array | None]:
        if x.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return in_f32(self.backward, x, weight, grad_y, needs)
        g = blas_operand(grad_y)
        grad_x = np.matmul(g, weight) if needs[0] else None
        grad_w = np.matmul(g.T, blas_operand(x)) if needs[1] else None
        grad_b = sum_axes(g, (0,)) if needs[2] else None
        return grad_x, grad_w, grad_b
