"""powf on the Cuda device: the kernels of powf.cu."""

from typing import Any

from dfdx_py.ops.elementwise import UnaryCuda
from dfdx_py.ops.powf import POWF


@POWF.register("cuda")
class PowfCuda(UnaryCuda):
    module = "powf"

    def backward(self, x: Any, y: Any, grad_y: Any, exponent: float) -> Any:
        # e - 1 in Python floats, then rounded to the dtype once: the Cpu's value
        return super().backward(x, y, grad_y, exponent, exponent - 1.0)
