"""tanh on the Cuda device: the kernels of tanh.cu."""

from dfdx_py.ops.elementwise import UnaryCuda
from dfdx_py.ops.tanh import TANH


@TANH.register("cuda")
class TanhCuda(UnaryCuda):
    module = "tanh"
