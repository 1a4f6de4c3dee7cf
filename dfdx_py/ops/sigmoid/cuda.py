"""sigmoid on the Cuda device: the kernels of sigmoid.cu."""

from dfdx_py.ops.elementwise import UnaryCuda
from dfdx_py.ops.sigmoid import SIGMOID


@SIGMOID.register("cuda")
class SigmoidCuda(UnaryCuda):
    module = "sigmoid"
