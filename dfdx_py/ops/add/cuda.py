"""add on the Cuda device: the kernels of add.cu."""

from collections.abc import Sequence
from typing import Any

from dfdx_py.ops.add import ADD, SCALAR_ADD
from dfdx_py.ops.elementwise import BinaryCuda, UnaryCuda


@ADD.register("cuda")
class AddCuda(BinaryCuda):
    module = "add"

    def backward(
        self, a: Any, b: Any, y: Any, grad_y: Any, needs: Sequence[bool]
    ) -> tuple[Any, Any]:
        # the gradient passes through unchanged to both sides: no kernel, no copy
        return (grad_y if needs[0] else None), (grad_y if needs[1] else None)


@SCALAR_ADD.register("cuda")
class ScalarAddCuda(UnaryCuda):
    module = "add"
    kernel = "scalar_add"

    def backward(self, x: Any, y: Any, grad_y: Any, *params: Any) -> Any:
        return grad_y
