"""nans_to on the Cuda device: the kernels of nans_to.cu."""

from dfdx_py.ops.elementwise import UnaryCuda
from dfdx_py.ops.nans_to import NANS_TO


@NANS_TO.register("cuda")
class NansToCuda(UnaryCuda):
    module = "nans_to"
