"""upscale2d: resize the two spatial axes up, nearest-neighbour or bilinear, as dfdx's
``upscale2d`` (``NearestNeighbor``, ``Bilinear``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol

from dfdx_py.autograd.tape import record
from dfdx_py.errors import DTypeError, ShapeError
from dfdx_py.ops.conv2d import as_int
from dfdx_py.ops.registry import Op
from dfdx_py.shapes import fmt_shape
from dfdx_py.tensor import wrap
from dfdx_py.type_vars import D, E

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

UpscaleMode = Literal["nearest", "bilinear"]
MODES = ("nearest", "bilinear")


class Upscale2dKernel(Protocol):
    """What a device supplies for ``upscale2d`` on ``(..., H, W)`` storage.

    ``forward`` resizes ``x`` to ``(..., *size)``; ``backward`` is its adjoint (each input
    element receives the weighted sum of the output gradients it contributed to).
    """

    def forward(self, x: Any, size: tuple[int, int], mode: str) -> Any: ...

    def backward(self, x: Any, grad_y: Any, mode: str) -> Any: ...


UPSCALE2D = Op[Upscale2dKernel]("upscale2d", __name__)


def upscale2d(
    x: Tensor[Any, E, D], size: tuple[int, int], mode: UpscaleMode = "nearest"
) -> Tensor[Any, E, D]:
    """``x`` ``(B, C, H, W)`` or ``(C, H, W)`` resized to ``(..., H2, W2)`` with
    ``size = (H2, W2)``, ``H2 >= H`` and ``W2 >= W`` (dfdx only upscales).

    - ``"nearest"``: output ``(i, j)`` copies input ``(floor(i·H/H2), floor(j·W/W2))``
      (scale computed in f32, as dfdx and PyTorch do):
      ``torch.nn.functional.interpolate(x, size=size, mode="nearest")``;
    - ``"bilinear"``: dfdx's bilinear interpolation, which aligns the corners (the source
      coordinate of output ``i`` is ``i·(H-1)/(H2-1)``):
      ``torch.nn.functional.interpolate(x, size=size, mode="bilinear", align_corners=True)``.

    The gradient is the adjoint (a scatter-add of the output gradient)::

        >>> x = dev.tensor([[[1.0, 2.0], [3.0, 4.0]]])
        >>> dfdx.upscale2d(x, (2, 4)).numpy()
        array([[[1., 1., 2., 2.],
                [3., 3., 4., 4.]]], dtype=float32)
    """
    if mode not in MODES:
        raise ValueError(f"upscale2d: mode must be 'nearest' or 'bilinear', got {mode!r}")
    dtype = x.dtype
    if not dtype.is_float:
        raise DTypeError(f"upscale2d: not defined for {dtype} tensors (float dtypes only)")
    shape = x.shape
    if x.ndim not in (3, 4):
        raise ShapeError(
            f"upscale2d: x must be (B, C, H, W) or (C, H, W), got shape {fmt_shape(shape)}"
        )
    dims = [as_int(n) for n in size] if isinstance(size, (tuple, list)) else []
    if len(dims) != 2 or dims[0] is None or dims[1] is None:
        raise ShapeError(f"upscale2d: size must be a pair of ints (H2, W2), got {size!r}")
    size = (dims[0], dims[1])
    h, w = shape[-2:]
    if (h == 0 and size[0] > 0) or (w == 0 and size[1] > 0):
        axis = x.ndim - 2 if h == 0 else x.ndim - 1
        raise ShapeError(
            f"upscale2d: cannot grow an empty axis: x {fmt_shape(shape)} to {size}: "
            f"axis {axis} has size 0"
        )
    if size[0] < h or size[1] < w:
        axis = x.ndim - 2 if size[0] < h else x.ndim - 1
        raise ShapeError(
            f"upscale2d: size {size} is smaller than x {fmt_shape(shape)}: axis {axis}: "
            f"{size[0] if size[0] < h else size[1]} < {shape[axis]} (upscale2d only grows)"
        )
    kernel = UPSCALE2D.kernel(x.device)
    x_data = x._data
    out = wrap(kernel.forward(x_data, size, mode), dtype, x.device)
    if x._tape is not None:
        record(out, (x,), lambda grad_y, needs: (kernel.backward(x_data, grad_y, mode),))
    return out
