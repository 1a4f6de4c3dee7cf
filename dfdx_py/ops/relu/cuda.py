"""relu on the Cuda device: the kernels of relu.cu."""

from dfdx_py.ops.elementwise import UnaryCuda
from dfdx_py.ops.relu import RELU


@RELU.register("cuda")
class ReluCuda(UnaryCuda):
    module = "relu"
