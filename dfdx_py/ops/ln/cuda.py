"""ln on the Cuda device: the kernels of ln.cu."""

from dfdx_py.ops.elementwise import UnaryCuda
from dfdx_py.ops.ln import LN


@LN.register("cuda")
class LnCuda(UnaryCuda):
    module = "ln"
