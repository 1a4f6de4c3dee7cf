"""stack on the Cuda device: one strided scatter per input into its slice of the output;
the backward pass takes slice ``i`` of ``grad_y`` with one strided copy per needed input.

The output is seen as ``(outer, n, inner)`` around the new axis and every input as
``(outer, inner)`` (free reshapes), so the copies have at most three dims whatever the rank.
"""

import math
from collections.abc import Sequence
from typing import Any

from dfdx_py.devices.cuda.layout import strided_copy, strided_scatter
from dfdx_py.ops.stack import STACK


@STACK.register("cuda")
class StackCuda:
    def forward(self, xs: Sequence[Any], axis: int) -> Any:
        first = xs[0]
        n = len(xs)
        outer = math.prod(first.shape[:axis])
        inner = math.prod(first.shape[axis:])
        out = first.ctx.empty((*first.shape[:axis], n, *first.shape[axis:]), first.dtype)
        for i, x in enumerate(xs):
            strided_scatter(x.reshape((outer, inner)), out, (n * inner, 1), i * inner)
        return out

    def backward(self, grad_y: Any, axis: int, needs: Sequence[bool]) -> list[Any]:
        n = grad_y.shape[axis]
        outer = math.prod(grad_y.shape[:axis])
        inner = math.prod(grad_y.shape[axis + 1 :])
        shape = (*grad_y.shape[:axis], *grad_y.shape[axis + 1 :])
        return [
            strided_copy(grad_y, (outer, inner), (n * inner, 1), i * inner).reshape(shape)
            if need
            else None
            for i, need in enumerate(needs)
        ]
