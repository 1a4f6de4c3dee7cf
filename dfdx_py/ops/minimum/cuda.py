"""minimum on the Cuda device: the kernels of minimum.cu."""

from dfdx_py.ops.elementwise import BinaryCuda, UnaryCuda
from dfdx_py.ops.minimum import MINIMUM, SCALAR_MINIMUM


@MINIMUM.register("cuda")
class MinimumCuda(BinaryCuda):
    module = "minimum"


@SCALAR_MINIMUM.register("cuda")
class ScalarMinimumCuda(UnaryCuda):
    module = "minimum"
    kernel = "scalar_minimum"
