"""sin on the Cuda device: the kernels of sin.cu."""

from dfdx_py.ops.elementwise import UnaryCuda
from dfdx_py.ops.sin import SIN


@SIN.register("cuda")
class SinCuda(UnaryCuda):
    module = "sin"
