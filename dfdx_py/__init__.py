"""dfdx_py: deep learning whose tensors carry their shape, dtype and device in their type."""

from dfdx_py import data, losses, nn, optim, serialize
from dfdx_py.autograd import Gradients
from dfdx_py.devices import Cpu, Device
from dfdx_py.devices.cuda import Cuda
from dfdx_py.dlpack import from_dlpack
from dfdx_py.dtypes import AMP, DType, bf16, bool_, f16, f32, f64, i64
from dfdx_py.errors import DeviceError, DTypeError, ShapeError, TapeError
from dfdx_py.ops import (
    choose,
    concat,
    conv1d,
    conv2d,
    conv_transpose2d,
    linear,
    matmul,
    maximum,
    minimum,
    pool2d,
    stack,
    upscale2d,
)
from dfdx_py.shapes import (
    Const,
    Dyn,
    Rank0,
    Rank1,
    Rank2,
    Rank3,
    Rank4,
    Rank5,
    Rank6,
    Shape,
)
from dfdx_py.tensor import Tensor

__version__ = "0.1.0"

__all__ = [
    "AMP",
    "Const",
    "Cpu",
    "Cuda",
    "DType",
    "DTypeError",
    "Device",
    "DeviceError",
    "Dyn",
    "Gradients",
    "Rank0",
    "Rank1",
    "Rank2",
    "Rank3",
    "Rank4",
    "Rank5",
    "Rank6",
    "Shape",
    "ShapeError",
    "TapeError",
    "Tensor",
    "bf16",
    "bool_",
    "choose",
    "concat",
    "conv1d",
    "conv2d",
    "conv_transpose2d",
    "data",
    "f16",
    "f32",
    "f64",
    "from_dlpack",
    "i64",
    "linear",
    "losses",
    "matmul",
    "maximum",
    "minimum",
    "nn",
    "optim",
    "pool2d",
    "serialize",
    "stack",
    "upscale2d",
]
