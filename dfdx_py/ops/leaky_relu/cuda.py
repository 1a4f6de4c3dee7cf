"""leaky_relu on the Cuda device: the kernels of leaky_relu.cu."""

from dfdx_py.ops.elementwise import UnaryCuda
from dfdx_py.ops.leaky_relu import LEAKY_RELU


@LEAKY_RELU.register("cuda")
class LeakyReluCuda(UnaryCuda):
    module = "leaky_relu"
