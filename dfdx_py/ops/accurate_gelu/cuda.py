"""accurate_gelu on the Cuda device: the kernels of accurate_gelu.cu."""

from dfdx_py.ops.accurate_gelu import ACCURATE_GELU
from dfdx_py.ops.elementwise import UnaryCuda


@ACCURATE_GELU.register("cuda")
class AccurateGeluCuda(UnaryCuda):
    module = "accurate_gelu"
