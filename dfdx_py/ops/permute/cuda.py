"""permute on the Cuda device: one strided copy (Cuda storage is contiguous, so there are no
views). A permutation that keeps the order of the axes longer than 1 moves no element: it is
a free reshape. The backward pass is this forward with the inverse permutation."""

from typing import Any

from dfdx_py.devices.cuda.layout import permute
from dfdx_py.ops.permute import PERMUTE


@PERMUTE.register("cuda")
class PermuteCuda:
    def forward(self, x: Any, axes: tuple[int, ...]) -> Any:
        moved = [a for a in axes if x.shape[a] != 1]
        if moved == sorted(moved):  # the same elements in the same order
            return x.reshape(tuple(x.shape[a] for a in axes))
        return permute(x, axes)
