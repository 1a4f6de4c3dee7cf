"""abs on the Cuda device: the kernels of abs.cu."""

from dfdx_py.ops.abs import ABS
from dfdx_py.ops.elementwise import UnaryCuda


@ABS.register("cuda")
class AbsCuda(UnaryCuda):
    module = "abs"
