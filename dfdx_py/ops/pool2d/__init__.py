"""pool2d: average, max or min pooling over square (or rectangular) windows, as dfdx's
``avg_pool2d`` / ``max_pool2d`` / ``min_pool2d``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from dfdx_py.autograd.tape import record
from dfdx_py.errors import DTypeError, ShapeError
from dfdx_py.ops.conv2d import IntPair, int_pair
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import fmt_shape
from dfdx_py.tensor import wrap
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

PoolKind = Literal["avg", "max", "min"]
KINDS = ("avg", "max", "min")


class Pool2dGeom(NamedTuple):
    """Window ``(kh, kw)``, stride, padding and the output's spatial size."""

    kh: int
    kw: int
    sh: int
    sw: int
    ph: int
    pw: int
    h_out: int
    w_out: int


class Pool2dKernel(Protocol):
    """What a device supplies for ``pool2d`` on ``(..., H, W)`` storage.

    ``backward`` gets the input, the output and its gradient; it returns ``grad_x``.
    """

    def forward(self, x: Any, kind: str, geom: Pool2dGeom) -> Any: ...

    def backward(self, x: Any, y: Any, grad_y: Any, kind: str, geom: Pool2dGeom) -> Any: ...


POOL2D = Op[Pool2dKernel]("pool2d", __name__)


def pool2d_geom(
    shape: tuple[int, ...], kernel: IntPair, stride: IntPair, padding: IntPair
) -> Pool2dGeom:
    """Check a pool2d of an input of ``shape``; its geometry."""
    op = "pool2d"
    kh, kw = int_pair(op, "kernel", kernel, 1)
    sh, sw = int_pair(op, "stride", stride, 1)
    ph, pw = int_pair(op, "padding", padding, 0)
    if ph >= kh or pw >= kw:
        raise ShapeError(
            f"{op}: padding ({ph}, {pw}) must be smaller than the kernel ({kh}, {kw}): "
            "a window would hold nothing but padding"
        )
    h, w = shape[-2:]
    h_out = (h + 2 * ph - kh) // sh + 1
    w_out = (w + 2 * pw - kw) // sw + 1
    if h_out < 1 or w_out < 1:
        raise ShapeError(
            f"{op}: kernel larger than the padded input: x {fmt_shape(shape)} padded by "
            f"({ph}, {pw}) is {h + 2 * ph}x{w + 2 * pw}, the kernel is {kh}x{kw}"
        )
    return Pool2dGeom(kh, kw, sh, sw, ph, pw, h_out, w_out)


def pool2d(
    x: Tensor[Any, E, D],
    kind: PoolKind,
    kernel: IntPair,
    stride: IntPair = 1,
    padding: IntPair = 0,
) -> Tensor[Any, E, D]:
    """Pooling over ``kernel``-sized windows of ``x`` ``(B, C, H, W)`` or ``(C, H, W)``,
    moved by ``stride``, on the input padded by ``padding``; the output is
    ``(..., H', W')`` with ``H' = (H + 2·padding - kernel) // stride + 1``.

    ``kind``:

    - ``"avg"``: the window's sum divided by ``kernel²``, padded zeros included (dfdx;
      PyTorch's default ``count_include_pad=True``);
    - ``"max"`` / ``"min"``: padding is ``-inf`` / ``+inf`` and so never chosen. The
      gradient goes to the element holding the extremum; when several elements of a window
      tie, *each* of them gets the full gradient (dfdx's rule; PyTorch picks one).

    ``kernel``, ``stride``, ``padding`` are an int or an ``(h, w)`` pair; padding must be
    smaller than the kernel. PyTorch: ``torch.nn.functional.avg_pool2d(x, kernel, stride,
    padding)``, ``max_pool2d(x, kernel, stride, padding)``, ``-max_pool2d(-x, ...)``
    (note torch's default stride is the kernel; here, as in dfdx, it is 1)::

        >>> x = dev.tensor([[[1.0, 2.0], [3.0, 4.0]]])
        >>> dfdx.pool2d(x, "max", 2).numpy()
        array([[[4.]]], dtype=float32)
    """
    if kind not in KINDS:
        raise ValueError(f"pool2d: kind must be 'avg', 'max' or 'min', got {kind!r}")
    dtype = x.dtype
    if not dtype.is_float:
        raise DTypeError(f"pool2d: not defined for {dtype} tensors (float dtypes only)")
    if x.ndim not in (3, 4):
        raise ShapeError(
            f"pool2d: x must be (B, C, H, W) or (C, H, W), got shape {fmt_shape(x.shape)}"
        )
    geom = pool2d_geom(x.shape, kernel, stride, padding)
    kern = POOL2D.kernel(x.device)
    x_data = x._data
    y = kern.forward(x_data, kind, geom)
    out = wrap(y, dtype, x.device)
    if x._tape is not None:
        record(out, (x,), lambda grad_y, needs: (kern.backward(x_data, y, grad_y, kind, geom),))
    return out
