"""recip on the Cuda device: the kernels of recip.cu."""

from dfdx_py.ops.elementwise import UnaryCuda
from dfdx_py.ops.recip import RECIP


@RECIP.register("cuda")
class RecipCuda(UnaryCuda):
    module = "recip"
