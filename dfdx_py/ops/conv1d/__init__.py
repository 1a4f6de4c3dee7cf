"""conv1d: 1-D convolution as PyTorch's ``conv1d``; a conv2d of height 1 on every device."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfdx_py.errors import ShapeError
from dfdx_py.ops.conv2d import (
    ConvKernel,
    apply_conv,
    check_operands,
    conv2d_geom,
    int_pair,
    out_size,
)
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import fmt_shape
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

CONV1D = Op[ConvKernel]("conv1d", __name__)
"""Its kernels get the geometry of the equivalent conv2d: height 1, ``x`` ``(B, C, L)`` or
``(C, L)`` read as ``(B, C, 1, L)`` and the weight ``(O, Cg, K)`` as ``(O, Cg, 1, K)``."""


def _int_param(name: str, value: Any, minimum: int) -> int:
    """A conv1d parameter: an int (or a 1-tuple, as torch allows) ``>= minimum``."""
    if isinstance(value, tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, tuple):
        raise ShapeError(f"conv1d: {name} must be an int, got {value!r}")
    return int_pair("conv1d", name, value, minimum)[0]


def conv1d(
    x: Tensor[Any, E, D],
    weight: Tensor[Any, E, D],
    stride: int | tuple[int] = 1,
    padding: int | tuple[int] = 0,
    dilation: int | tuple[int] = 1,
    groups: int = 1,
) -> Tensor[Any, E, D]:
    """1-D convolution (cross-correlation) of ``x`` ``(B, C, L)`` or ``(C, L)`` with
    ``weight`` ``(O, C // groups, K)``, giving ``(B, O, L')`` (or ``(O, L')``) with
    ``L' = (L + 2·padding - dilation·(K - 1) - 1) // stride + 1``.

    PyTorch: ``torch.nn.functional.conv1d(x, weight, None, stride, padding, dilation,
    groups)``::

        >>> dfdx.conv1d(dev.ones((2, 5)), dev.ones((4, 2, 3))).shape   # (C, L), (O, C, K)
        (4, 3)
    """
    op = "conv1d"
    check_operands(op, x, weight, (2, 3), 3, "(B, C, L) or (C, L)")
    s = _int_param("stride", stride, 1)
    p = _int_param("padding", padding, 0)
    d = _int_param("dilation", dilation, 1)
    x_shape = x.shape
    w_shape = weight.shape
    o, cg, k = w_shape
    length = x_shape[-1]
    if out_size(length, k, s, p, d) < 1:
        raise ShapeError(
            f"{op}: kernel larger than the padded input: x {fmt_shape(x_shape)} padded by {p} "
            f"has length {length + 2 * p}, weight {fmt_shape(w_shape)} with dilation {d} "
            f"spans {d * (k - 1) + 1}"
        )
    x4 = (*x_shape[:-1], 1, length)
    shown = (x_shape, w_shape)
    geom = conv2d_geom(op, x4, (o, cg, 1, k), (1, s), (0, p), (1, d), groups, shown)
    return apply_conv(CONV1D, x, weight, geom)
