"""powi on the Cuda device: the kernels of powi.cu."""

from typing import Any

from dfdx_py.ops.elementwise import UnaryCuda
from dfdx_py.ops.powi import POWI


@POWI.register("cuda")
class PowiCuda(UnaryCuda):
    module = "powi"

    def backward(self, x: Any, y: Any, grad_y: Any, exponent: int) -> Any:
        # n - 1 in Python ints, then rounded to the dtype once: the Cpu's value
        return super().backward(x, y, grad_y, exponent, exponent - 1)
