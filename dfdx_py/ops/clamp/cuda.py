"""clamp on the Cuda device: the kernels of clamp.cu."""

from dfdx_py.ops.clamp import CLAMP
from dfdx_py.ops.elementwise import UnaryCuda


@CLAMP.register("cuda")
class ClampCuda(UnaryCuda):
    module = "clamp"
