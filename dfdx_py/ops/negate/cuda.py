"""negate on the Cuda device: the kernels of negate.cu."""

from dfdx_py.ops.elementwise import UnaryCuda
from dfdx_py.ops.negate import NEGATE


@NEGATE.register("cuda")
class NegateCuda(UnaryCuda):
    module = "negate"
