"""Rules for convolutions, pooling and upscaling: ``conv1d``, ``conv2d``,
``conv_transpose2d``, ``pool2d`` and ``upscale2d``.

What mypy cannot infer: all return ``Tensor[Any, E, D]``. The output's spatial sizes follow
PyTorch's formulas from the input size, the kernel size (from the weight's shape, or
``pool2d``'s ``kernel``) and the int parameters ``stride``, ``padding``, ``dilation``,
``groups`` and ``output_padding``; the channels must fit the weight.

Algorithm: read each parameter as an int literal or a pair of them (a non-literal is
``Dyn``), then ``shape_math.conv`` / ``conv_transpose2d`` / ``pool2d`` / ``upscale2d``:
channel checks (``C == weight[1] * groups``), parameter ranges, and an output size below 1
is an error. With a ``Dyn`` or symbolic size the output size is ``Dyn`` (a symbol survives a
size-preserving conv: stride 1 and ``2·padding == dilation·(kernel - 1)``).
"""

from __future__ import annotations

from mypy.types import Type

from dfdx_mypy.call import Call
from dfdx_mypy.shape_math import (
    DYN,
    ConvParams,
    Param,
    Shape,
    conv,
    conv_transpose2d,
    pool2d,
    upscale2d,
)
from dfdx_mypy.shape_types import (
    Opaque,
    TensorInfo,
    int_value,
    shape_value,
    tensor_info,
)


def _param(call: Call, name: str, position: int, default: int, n: int) -> tuple[Param, ...]:
    """An int-or-tuple parameter as ``n`` values (``DYN`` where not literal)."""
    arg = call.arg(name, position)
    if arg is None:
        return (default,) * n
    dims = shape_value(arg.expr, arg.type)
    if dims is not None and len(dims) == n:
        return tuple(d if isinstance(d, int) else DYN for d in dims)
    value = int_value(arg.expr, arg.type)
    return ((value if isinstance(value, int) else DYN),) * n


def _single(values: tuple[Param, ...]) -> Param:
    return values[0]


def _operands(call: Call) -> tuple[TensorInfo, Shape, Shape] | None:
    """The input and weight shapes, after checking their dtypes and devices."""
    x = call.receiver
    w_arg = call.arg("weight", 0)
    w = tensor_info(w_arg.type) if w_arg is not None else None
    if x is None or w is None:
        return None
    if not call.same_dtype_and_device(x, w, "x vs weight"):
        return None  # reported; the signature's answer has an Any shape already
    if x.shape is None or isinstance(x.shape, Opaque):
        return None
    if w.shape is None or isinstance(w.shape, Opaque):
        return None
    return x, x.shape, w.shape


def _conv(call: Call, spatial: int) -> Type:
    operands = _operands(call)
    if operands is None:
        return call.default
    _, x, w = operands
    params = ConvParams(
        stride=_param(call, "stride", 1, 1, spatial),
        padding=_param(call, "padding", 2, 0, spatial),
        dilation=_param(call, "dilation", 3, 1, spatial),
        groups=_single(_param(call, "groups", 4, 1, 1)),
    )
    return call.result(conv(call.op, x, w, params, spatial))


def conv1d_rule(call: Call) -> Type:
    """``conv1d(x, weight, stride, padding, dilation, groups)``: ``(B, C, L)`` or ``(C, L)``
    with ``(Out, C/groups, K)``."""
    return _conv(call, 1)


def conv2d_rule(call: Call) -> Type:
    """``conv2d(x, weight, ...)``: ``(B, C, H, W)`` or ``(C, H, W)`` with
    ``(Out, C/groups, KH, KW)``."""
    return _conv(call, 2)


def conv_transpose2d_rule(call: Call) -> Type:
    """``conv_transpose2d(x, weight, stride, padding, dilation, groups, output_padding)``
    with ``weight`` ``(C, Out/groups, KH, KW)``."""
    operands = _operands(call)
    if operands is None:
        return call.default
    _, x, w = operands
    params = ConvParams(
        stride=_param(call, "stride", 1, 1, 2),
        padding=_param(call, "padding", 2, 0, 2),
        dilation=_param(call, "dilation", 3, 1, 2),
        groups=_single(_param(call, "groups", 4, 1, 1)),
        output_padding=_param(call, "output_padding", 5, 0, 2),
    )
    return call.result(conv_transpose2d(x, w, params))


def pool2d_rule(call: Call) -> Type:
    """``pool2d(x, kind, kernel, stride=1, padding=0)``."""
    x = call.receiver
    if x is None or x.shape is None or isinstance(x.shape, Opaque):
        return call.default
    if call.arg("kernel", 1) is None:
        return call.default
    kernel = _param(call, "kernel", 1, 1, 2)
    stride = _param(call, "stride", 2, 1, 2)
    padding = _param(call, "padding", 3, 0, 2)
    return call.result(
        pool2d(x.shape, (kernel[0], kernel[1]), (stride[0], stride[1]), (padding[0], padding[1]))
    )


def upscale2d_rule(call: Call) -> Type:
    """``upscale2d(x, (H2, W2), mode)``: the last two dims become ``(H2, W2)``."""
    x = call.receiver
    arg = call.arg("size", 0)
    if x is None or arg is None or x.shape is None or isinstance(x.shape, Opaque):
        return call.default
    size = shape_value(arg.expr, arg.type)
    if size is None or len(size) != 2:
        return call.default
    return call.result(upscale2d(x.shape, (size[0], size[1])))
