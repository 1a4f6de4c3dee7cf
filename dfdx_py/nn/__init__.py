"""Modules: architecture types that ``dev.build_module(Arch, dtype)`` builds (dfdx's nn).

A ``tuple[...]`` of architectures is sequential; ``nn.Linear[784, 128]`` is an architecture
with its sizes; a subclass of ``nn.Module`` with annotated fields is a custom architecture.
"""

from dfdx_py.nn.activations import (
    Abs,
    Cos,
    Exp,
    GeLU,
    LeakyReLU,
    Ln,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Sin,
    Softmax,
    Sqrt,
    Square,
    Tanh,
)
from dfdx_py.nn.attention import MultiHeadAttention
from dfdx_py.nn.bias import Bias1D, Bias2D
from dfdx_py.nn.build import build_module, is_architecture
from dfdx_py.nn.combinators import AddInto, GeneralizedResidual, Repeated, Residual, SplitInto
from dfdx_py.nn.conv import Conv1D, Conv2D, ConvTrans2D
from dfdx_py.nn.dropout import Dropout, DropoutOneIn
from dfdx_py.nn.embedding import Embedding
from dfdx_py.nn.linear import Linear, UnbiasedLinear
from dfdx_py.nn.module import Module, ModuleMeta, is_training
from dfdx_py.nn.norm import BatchNorm1D, BatchNorm2D, LayerNorm1D
from dfdx_py.nn.pool import (
    AvgPool2D,
    AvgPoolGlobal,
    MaxPool2D,
    MaxPoolGlobal,
    MinPool2D,
    MinPoolGlobal,
)
from dfdx_py.nn.prelu import PReLU
from dfdx_py.nn.reshape import Flatten2D, Reshape, Upscale2D
from dfdx_py.nn.sequential import Sequential
from dfdx_py.nn.transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderBlock,
    TransformerEncoder,
    TransformerEncoderBlock,
)

__all__ = [
    "Abs",
    "AddInto",
    "AvgPool2D",
    "AvgPoolGlobal",
    "BatchNorm1D",
    "BatchNorm2D",
    "Bias1D",
    "Bias2D",
    "Conv1D",
    "Conv2D",
    "ConvTrans2D",
    "Cos",
    "Dropout",
    "DropoutOneIn",
    "Embedding",
    "Exp",
    "Flatten2D",
    "GeLU",
    "GeneralizedResidual",
    "LayerNorm1D",
    "LeakyReLU",
    "Linear",
    "Ln",
    "LogSoftmax",
    "MaxPool2D",
    "MaxPoolGlobal",
    "MinPool2D",
    "MinPoolGlobal",
    "Module",
    "ModuleMeta",
    "MultiHeadAttention",
    "PReLU",
    "ReLU",
    "Repeated",
    "Reshape",
    "Residual",
    "Sequential",
    "Sigmoid",
    "Sin",
    "Softmax",
    "SplitInto",
    "Sqrt",
    "Square",
    "Tanh",
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderBlock",
    "TransformerEncoder",
    "TransformerEncoderBlock",
    "UnbiasedLinear",
    "Upscale2D",
    "build_module",
    "is_architecture",
    "is_training",
]
