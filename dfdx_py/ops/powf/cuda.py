"""powf on the Cuda device: the kernels of powf.cu."""

from typing import Any

import numpy as np

from dfdx_py.devices.cuda.context import HALF
from dfdx_py.ops.elementwise import UnaryCuda
from dfdx_py.ops.powf import POWF


@POWF.register("cuda")
class PowfCuda(UnaryCuda):
    module = "powf"

    def backward(self, x: Any, y: Any, grad_y: Any, exponent: float) -> Any:
        if x.dtype in HALF:  # the Cpu's values: e rounded to half, then e - 1 in f32
            e = float(x.dtype.type(exponent))
            return super().backward(x, y, grad_y, e, np.float32(e - 1.0))
        # e - 1 in Python floats, then rounded to the dtype once: the Cpu's value
        return super().backward(x, y, grad_y, exponent, exponent - 1.0)
