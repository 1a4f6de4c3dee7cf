"""log_softmax on the Cuda device: the fused row kernels of log_softmax.cu, one launch each
way. Axes other than the last ones are moved last first, and back after."""

from dfdx_py.ops.cuda_rows import SoftmaxLikeCuda
from dfdx_py.ops.log_softmax import LOG_SOFTMAX


@LOG_SOFTMAX.register("cuda")
class LogSoftmaxCuda(SoftmaxLikeCuda):
    module = "log_softmax"
