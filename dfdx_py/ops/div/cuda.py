"""div on the Cuda device: the kernels of div.cu (float tensors only)."""

from dfdx_py.ops.div import DIV, SCALAR_DIV
from dfdx_py.ops.elementwise import BinaryCuda, UnaryCuda


@DIV.register("cuda")
class DivCuda(BinaryCuda):
    module = "div"


@SCALAR_DIV.register("cuda")
class ScalarDivCuda(UnaryCuda):
    module = "div"
    kernel = "scalar_div"
