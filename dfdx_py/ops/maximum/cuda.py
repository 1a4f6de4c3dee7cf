"""maximum on the Cuda device: the kernels of maximum.cu."""

from dfdx_py.ops.elementwise import BinaryCuda, UnaryCuda
from dfdx_py.ops.maximum import MAXIMUM, SCALAR_MAXIMUM


@MAXIMUM.register("cuda")
class MaximumCuda(BinaryCuda):
    module = "maximum"


@SCALAR_MAXIMUM.register("cuda")
class ScalarMaximumCuda(UnaryCuda):
    module = "maximum"
    kernel = "scalar_maximum"
