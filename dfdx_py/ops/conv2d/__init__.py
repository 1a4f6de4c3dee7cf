"""conv2d: 2-D cross-correlation as PyTorch's ``conv2d``, with stride, padding, dilation and
groups, computed as im2col + GEMM.

This module also holds what the other convolutions (``conv1d``, ``conv_transpose2d``) share:
the geometry of a convolution (:class:`Conv2dGeom`), the checks of the arguments, and the
kernel interface (:class:`ConvKernel`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import numpy as np

from dfdx_py.autograd.tape import record
from dfdx_py.errors import DTypeError, ShapeError
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import fmt_shape
from dfdx_py.tensor import check_same_device, wrap
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

IntPair = int | tuple[int, int]
"""A conv parameter: one int for both spatial axes, or ``(height, width)``."""


class Conv2dGeom(NamedTuple):
    """The geometry of one 2-D convolution: an *image* ``(batch, chan_in, h_in, w_in)``
    convolved with a weight ``(chan_out, chan_in // groups, kh, kw)`` gives an *output*
    ``(batch, chan_out, h_out, w_out)``.

    ``batched`` is false for an unbatched ``(C, H, W)`` tensor (``batch`` is then 1).
    ``conv_transpose2d`` uses the geometry of the conv2d it is the input-gradient of: its
    input is that conv2d's output and its output that conv2d's image.
    """

    batch: int
    batched: bool
    chan_in: int
    h_in: int
    w_in: int
    chan_out: int
    groups: int
    kh: int
    kw: int
    sh: int
    sw: int
    ph: int
    pw: int
    dh: int
    dw: int
    h_out: int
    w_out: int

    @property
    def image_shape(self) -> tuple[int, int, int, int]:
        """``(B, C, H, W)`` of the image."""
        return (self.batch, self.chan_in, self.h_in, self.w_in)

    @property
    def out_shape(self) -> tuple[int, int, int, int]:
        """``(B, O, H', W')`` of the output."""
        return (self.batch, self.chan_out, self.h_out, self.w_out)


class ConvKernel(Protocol):
    """What a device supplies for a convolution (conv2d, conv1d, conv_transpose2d).

    ``forward(x, w, geom)`` returns the output; ``backward`` returns ``(grad_x, grad_w)``,
    each of its input's shape, or ``None`` where ``needs`` is false. The Cpu kernels are
    im2col + GEMM and col2im (the Cuda ones: im2col kernels + cuBLAS GEMM).
    """

    def forward(self, x: Any, w: Any, geom: Conv2dGeom) -> Any: ...

    def backward(
        self, x: Any, w: Any, grad_y: Any, geom: Conv2dGeom, needs: Sequence[bool]
    ) -> tuple[Any | None, Any | None]: ...


CONV2D = Op[ConvKernel]("conv2d", __name__)


def as_int(value: Any) -> int | None:
    """``value`` as an int if it is one (a Python or numpy integer, not a bool), else None."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        return None
    return int(value)


def int_pair(op: str, name: str, value: Any, minimum: int) -> tuple[int, int]:
    """A conv parameter (an int or a pair of ints, each ``>= minimum``) as a pair.

    A bad value raises ``ShapeError`` (a ``ValueError``): it decides the output shape."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    pair = [as_int(v) for v in items]
    if len(pair) != 2 or pair[0] is None or pair[1] is None:
        raise ShapeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if pair[0] < minimum or pair[1] < minimum:
        raise ShapeError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return (pair[0], pair[1])


def check_groups(op: str, groups: Any) -> int:
    """``groups`` as an int >= 1, or ``ShapeError``."""
    value = as_int(groups)
    if value is None or value < 1:
        raise ShapeError(f"{op}: groups must be an int >= 1, got {groups!r}")
    return value


def check_operands(
    op: str,
    x: Tensor[Any, Any, Any],
    weight: Tensor[Any, Any, Any],
    ranks: tuple[int, int],
    w_rank: int,
    layout: str,
) -> None:
    """Dtypes (one float dtype), devices and ranks of a convolution's two operands."""
    dtype = x.dtype
    if weight.dtype is not dtype:
        raise DTypeError(f"{op}: dtypes differ: x is {dtype}, weight is {weight.dtype}")
    if not dtype.is_float:
        raise DTypeError(f"{op}: not defined for {dtype} tensors (float dtypes only)")
    if weight.device is not x.device:
        check_same_device(op, (x, weight))
    if x.ndim not in ranks:
        raise ShapeError(f"{op}: x must be {layout}, got shape {fmt_shape(x.shape)}")
    if weight.ndim != w_rank:
        raise ShapeError(
            f"{op}: weight must have rank {w_rank}, got shape {fmt_shape(weight.shape)}"
        )


def out_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """PyTorch's output size of a convolution along one axis (< 1 when it does not fit)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def conv2d_geom(
    op: str,
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: IntPair,
    padding: IntPair,
    dilation: IntPair,
    groups: int,
    shown: tuple[tuple[int, ...], tuple[int, ...]] | None = None,
) -> Conv2dGeom:
    """Check a conv2d of ``x_shape`` (rank 3 or 4) with ``w_shape`` (rank 4); its geometry.

    Error messages show the shapes ``shown`` (the user's, for conv1d) if given."""
    sh, sw = int_pair(op, "stride", stride, 1)
    ph, pw = int_pair(op, "padding", padding, 0)
    dh, dw = int_pair(op, "dilation", dilation, 1)
    groups = check_groups(op, groups)
    batched = len(x_shape) == 4
    batch = x_shape[0] if batched else 1
    c, h, w = x_shape[-3:]
    o, cg, kh, kw = w_shape
    xs, ws = (fmt_shape(x_shape), fmt_shape(w_shape)) if shown is None else map(fmt_shape, shown)
    if c % groups:
        raise ShapeError(f"{op}: groups={groups} does not divide the {c} channels of x {xs}")
    if o % groups:
        raise ShapeError(
            f"{op}: groups={groups} does not divide the {o} output channels of weight {ws}"
        )
    if cg * groups != c:
        raise ShapeError(
            f"{op}: channel mismatch: x {xs} has {c} channels, weight {ws} expects "
            f"{cg} * groups={groups} = {cg * groups}"
        )
    h_out = out_size(h, kh, sh, ph, dh)
    w_out = out_size(w, kw, sw, pw, dw)
    if h_out < 1 or w_out < 1:
        raise ShapeError(
            f"{op}: kernel larger than the padded input: x {xs} padded by ({ph}, {pw}) is "
            f"{h + 2 * ph}x{w + 2 * pw}, weight {ws} with dilation ({dh}, {dw}) spans "
            f"{dh * (kh - 1) + 1}x{dw * (kw - 1) + 1}"
        )
    return Conv2dGeom(
        batch, batched, c, h, w, o, groups, kh, kw, sh, sw, ph, pw, dh, dw, h_out, w_out
    )


def apply_conv(
    op: Op[ConvKernel], x: Tensor[Any, E, D], weight: Tensor[Any, E, D], geom: Conv2dGeom
) -> Tensor[Any, E, D]:
    """Run ``op``'s kernel on checked operands and record its backward pass if traced."""
    kernel = op.kernel(x.device)
    x_data = x._data
    w_data = weight._data
    out = wrap(kernel.forward(x_data, w_data, geom), x.dtype, x.device)
    if x._tape is not None or weight._tape is not None:
        record(
            out,
            (x, weight),
            lambda grad_y, needs: kernel.backward(x_data, w_data, grad_y, geom, needs),
        )
    return out


def conv2d(
    x: Tensor[Any, E, D],
    weight: Tensor[Any, E, D],
    stride: IntPair = 1,
    padding: IntPair = 0,
    dilation: IntPair = 1,
    groups: int = 1,
) -> Tensor[Any, E, D]:
    """2-D convolution (cross-correlation) of ``x`` ``(B, C, H, W)`` or ``(C, H, W)`` with
    ``weight`` ``(O, C // groups, KH, KW)``, giving ``(B, O, H', W')`` (or ``(O, H', W')``)
    with ``H' = (H + 2·padding - dilation·(KH - 1) - 1) // stride + 1`` (likewise ``W'``).

    ``stride``, ``padding`` (zeros) and ``dilation`` are an int or an ``(h, w)`` pair;
    ``groups`` splits the channels into independent convolutions. No bias: add one with
    ``broadcast_to``. PyTorch: ``torch.nn.functional.conv2d(x, weight, None, stride, padding,
    dilation, groups)``::

        >>> x = dev.ones((1, 3, 3))                       # (C, H, W)
        >>> dfdx.conv2d(x, dev.ones((2, 1, 2, 2))).shape  # (O, C, K, K)
        (2, 2, 2)

    Raises ``ShapeError`` on a channel mismatch, ``groups`` not dividing the channels, or a
    kernel larger than the padded input.
    """
    check_operands("conv2d", x, weight, (3, 4), 4, "(B, C, H, W) or (C, H, W)")
    geom = conv2d_geom("conv2d", x.shape, weight.shape, stride, padding, dilation, groups)
    return apply_conv(CONV2D, x, weight, geom)
