"""conv_transpose2d: the transposed 2-D convolution, PyTorch's ``conv_transpose2d``.

It is the gradient of ``conv2d`` with respect to its input, and is computed that way: the
kernels share conv2d's im2col / col2im (see ``conv2d/cpu.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfdx_py.errors import ShapeError
from dfdx_py.ops.conv2d import (
    Conv2dGeom,
    ConvKernel,
    IntPair,
    apply_conv,
    check_groups,
    check_operands,
    int_pair,
)
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import fmt_shape
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

CONV_TRANSPOSE2D = Op[ConvKernel]("conv_transpose2d", __name__)
"""Its kernels get the geometry of the conv2d it transposes: ``x`` is shaped like that
conv2d's output and the result like its image."""


def conv_transpose2d_geom(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: IntPair,
    padding: IntPair,
    dilation: IntPair,
    groups: int,
    output_padding: IntPair,
) -> Conv2dGeom:
    """Check a conv_transpose2d of ``x_shape`` with ``w_shape``; the transposed geometry."""
    op = "conv_transpose2d"
    sh, sw = int_pair(op, "stride", stride, 1)
    ph, pw = int_pair(op, "padding", padding, 0)
    dh, dw = int_pair(op, "dilation", dilation, 1)
    oph, opw = int_pair(op, "output_padding", output_padding, 0)
    groups = check_groups(op, groups)
    batched = len(x_shape) == 4
    batch = x_shape[0] if batched else 1
    c, h, w = x_shape[-3:]
    c_w, og, kh, kw = w_shape
    xs = fmt_shape(x_shape)
    ws = fmt_shape(w_shape)
    if c_w != c:
        raise ShapeError(
            f"{op}: channel mismatch: x {xs} has {c} channels, weight {ws} expects {c_w} "
            "(weight is (C_in, C_out / groups, KH, KW))"
        )
    if c % groups:
        raise ShapeError(f"{op}: groups={groups} does not divide the {c} channels of x {xs}")
    if not (oph < max(sh, dh) and opw < max(sw, dw)):
        raise ShapeError(
            f"{op}: output_padding ({oph}, {opw}) must be smaller than the stride "
            f"({sh}, {sw}) or the dilation ({dh}, {dw})"
        )
    h_out = (h - 1) * sh - 2 * ph + dh * (kh - 1) + 1 + oph
    w_out = (w - 1) * sw - 2 * pw + dw * (kw - 1) + 1 + opw
    if h_out < 1 or w_out < 1:
        raise ShapeError(
            f"{op}: padding ({ph}, {pw}) leaves no output for x {xs} and weight {ws}: "
            f"the output would be {h_out}x{w_out}"
        )
    return Conv2dGeom(
        batch, batched, og * groups, h_out, w_out, c, groups, kh, kw, sh, sw, ph, pw, dh, dw, h, w
    )


def conv_transpose2d(
    x: Tensor[Any, E, D],
    weight: Tensor[Any, E, D],
    stride: IntPair = 1,
    padding: IntPair = 0,
    dilation: IntPair = 1,
    groups: int = 1,
    output_padding: IntPair = 0,
) -> Tensor[Any, E, D]:
    """Transposed 2-D convolution of ``x`` ``(B, C, H, W)`` or ``(C, H, W)`` with ``weight``
    ``(C, O // groups, KH, KW)``, giving ``(B, O, H', W')`` (or ``(O, H', W')``) with
    ``H' = (H - 1)·stride - 2·padding + dilation·(KH - 1) + 1 + output_padding``.

    It is the gradient of ``conv2d`` (same weight, stride, padding, dilation, groups) with
    respect to its input; ``output_padding`` (smaller than stride or dilation) picks among
    the input sizes that conv2d maps to ``H``. PyTorch:
    ``torch.nn.functional.conv_transpose2d(x, weight, None, stride, padding,
    output_padding, groups, dilation)`` (note torch's argument order)::

        >>> x = dev.ones((1, 2, 2))                                   # (C, H, W)
        >>> dfdx.conv_transpose2d(x, dev.ones((1, 3, 3, 3)), stride=2).shape
        (3, 5, 5)
    """
    check_operands("conv_transpose2d", x, weight, (3, 4), 4, "(B, C, H, W) or (C, H, W)")
    geom = conv_transpose2d_geom(
        x.shape, weight.shape, stride, padding, dilation, groups, output_padding
    )
    return apply_conv(CONV_TRANSPOSE2D, x, weight, geom)
