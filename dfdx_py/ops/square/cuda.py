"""square on the Cuda device: the kernels of square.cu."""

from dfdx_py.ops.elementwise import UnaryCuda
from dfdx_py.ops.square import SQUARE


@SQUARE.register("cuda")
class SquareCuda(UnaryCuda):
    module = "square"
