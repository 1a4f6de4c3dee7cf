"""sqrt on the Cuda device: the kernels of sqrt.cu."""

from dfdx_py.ops.elementwise import UnaryCuda
from dfdx_py.ops.sqrt import SQRT


@SQRT.register("cuda")
class SqrtCuda(UnaryCuda):
    module = "sqrt"
