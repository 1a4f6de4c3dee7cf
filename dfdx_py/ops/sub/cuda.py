"""sub on the Cuda device: the kernels of sub.cu."""

from collections.abc import Sequence
from typing import Any

from dfdx_py.ops.elementwise import BinaryCuda, UnaryCuda
from dfdx_py.ops.sub import SCALAR_SUB, SUB


@SUB.register("cuda")
class SubCuda(BinaryCuda):
    module = "sub"

    def backward(
        self, a: Any, b: Any, y: Any, grad_y: Any, needs: Sequence[bool]
    ) -> tuple[Any, Any]:
        from dfdx_py.devices.cuda.context import suffix

        # a's gradient is grad_y unchanged (no kernel, no copy); b's is -grad_y
        grad_b = None
        if needs[1]:
            grad_b = grad_y.ctx.empty(grad_y.shape, grad_y.dtype)
            if grad_y.size:
                name = f"sub_bwd_rhs_{suffix(grad_y.dtype)}"
                args = (grad_y.size, grad_y.ptr, grad_b.ptr)
                grad_y.ctx.launch("sub", name, grad_y.size, args)
        return (grad_y if needs[0] else None), grad_b


@SCALAR_SUB.register("cuda")
class ScalarSubCuda(UnaryCuda):
    module = "sub"
    kernel = "scalar_sub"

    def backward(self, x: Any, y: Any, grad_y: Any, *params: Any) -> Any:
        return grad_y
