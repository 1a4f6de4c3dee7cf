"""fast_gelu on the Cuda device: the kernels of fast_gelu.cu."""

from dfdx_py.ops.elementwise import UnaryCuda
from dfdx_py.ops.fast_gelu import FAST_GELU


@FAST_GELU.register("cuda")
class FastGeluCuda(UnaryCuda):
    module = "fast_gelu"
