"""cos on the Cuda device: the kernels of cos.cu."""

from dfdx_py.ops.cos import COS
from dfdx_py.ops.elementwise import UnaryCuda


@COS.register("cuda")
class CosCuda(UnaryCuda):
    module = "cos"
