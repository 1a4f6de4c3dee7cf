"""exp on the Cuda device: the kernels of exp.cu."""

from dfdx_py.ops.elementwise import UnaryCuda
from dfdx_py.ops.exp import EXP


@EXP.register("cuda")
class ExpCuda(UnaryCuda):
    module = "exp"
