"""mul on the Cuda device: the kernels of mul.cu."""

from dfdx_py.ops.elementwise import BinaryCuda, UnaryCuda
from dfdx_py.ops.mul import MUL, SCALAR_MUL


@MUL.register("cuda")
class MulCuda(BinaryCuda):
    module = "mul"


@SCALAR_MUL.register("cuda")
class ScalarMulCuda(UnaryCuda):
    module = "mul"
    kernel = "scalar_mul"
