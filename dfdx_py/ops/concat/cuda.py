"""concat on the Cuda device: one strided scatter per input into its slice of the output;
the backward pass cuts ``grad_y`` into the inputs' slices with one strided copy each.

Every array is seen as ``(outer, size, inner)`` around the concat axis (a free reshape), so
the copies have three dims whatever the rank.
"""

import math
from collections.abc import Sequence
from typing import Any

from dfdx_py.devices.cuda.layout import strided_copy, strided_scatter
from dfdx_py.ops.concat import CONCAT


@CONCAT.register("cuda")
class ConcatCuda:
    def forward(self, xs: Sequence[Any], axis: int) -> Any:
        first = xs[0]
        outer = math.prod(first.shape[:axis])
        inner = math.prod(first.shape[axis + 1 :])
        total = sum(x.shape[axis] for x in xs)
        shape = (*first.shape[:axis], total, *first.shape[axis + 1 :])
        out = first.ctx.empty(shape, first.dtype)
        flat, steps = out.reshape((outer, total, inner)), (total * inner, inner, 1)
        start = 0
        for x in xs:
            size = x.shape[axis]
            strided_scatter(x.reshape((outer, size, inner)), flat, steps, start * inner)
            start += size
        return out

    def backward(
        self, grad_y: Any, sizes: Sequence[int], axis: int, needs: Sequence[bool]
    ) -> list[Any]:
        outer = math.prod(grad_y.shape[:axis])
        inner = math.prod(grad_y.shape[axis + 1 :])
        total = grad_y.shape[axis]
        flat, steps = grad_y.reshape((outer, total, inner)), (total * inner, inner, 1)
        grads: list[Any] = []
        start = 0
        for size, need in zip(sizes, needs, strict=True):
            if need:
                piece = strided_copy(flat, (outer, size, inner), steps, start * inner)
                shape = (*grad_y.shape[:axis], size, *grad_y.shape[axis + 1 :])
                grads.append(piece.reshape(shape))
            else:
                grads.append(None)
            start += size
        return grads
