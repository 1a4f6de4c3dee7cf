"""softmax on the Cuda device: the fused row kernels of softmax.cu, one launch each way (a
block per row: the maximum, the sum of exponentials, the outputs). Axes other than the last
ones are moved last first, and back after."""

from dfdx_py.ops.cuda_rows import SoftmaxLikeCuda
from dfdx_py.ops.softmax import SOFTMAX


@SOFTMAX.register("cuda")
class SoftmaxCuda(SoftmaxLikeCuda):
    module = "softmax"
