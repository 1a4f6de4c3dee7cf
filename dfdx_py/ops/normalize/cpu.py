"""normalize on the Cpu: mean, deviations, variance and scaling in one fresh buffer.

f16/bf16 are computed in f32 and rounded once. Their backward pass does not use the rounded
output: it recomputes the f32 output from the input, the mean and ``inv_std`` that the
forward pass keeps (with few elements per row the gradient is a small difference of large
terms, which a half-precision ``y`` would swamp).
"""

from typing import Any

import numpy as np

from dfdx_py.ops.cpu_common import keep_sum, reduced_size, work_array
from dfdx_py.ops.normalize import NORMALIZE

Array = np.ndarray[Any, Any]


def _normalize(w: Array, axes: tuple[int, ...], n: int, eps: float) -> tuple[Array, Array, Array]:
    """``(y, mean, inv_std)`` of the f32/f64 array ``w`` (``n`` > 0 elements per row)."""
    mean = keep_sum(w, axes)
    mean /= n
    y = np.subtract(w, mean, out=np.empty_like(w))
    inv_std = keep_sum(np.square(y), axes)
    inv_std /= n
    inv_std += eps
    np.sqrt(inv_std, out=inv_std)
    np.reciprocal(inv_std, out=inv_std)
    y *= inv_std
    return y, mean, inv_std


@NORMALIZE.register("cpu")
class NormalizeCpu:
    def forward(self, x: Array, axes: tuple[int, ...], eps: float) -> tuple[Array, Any]:
        n = reduced_size(x.shape, axes)
        w = work_array(x)
        if n == 0:
            return np.empty_like(x), np.empty((), dtype=w.dtype)
        y, mean, inv_std = _normalize(w, axes, n, eps)
        if x.itemsize == 2:  # f16/bf16: what backward needs to recompute y in f32
            return y.astype(x.dtype), (x, mean, inv_std)
        return y, inv_std

    def backward(self, y: Array, saved: Any, grad_y: Array, axes: tuple[int, ...]) -> Array:
        n = reduced_size(y.shape, axes)
        if n == 0:
            return np.zeros_like(y)
        if y.itemsize == 2:  # f16/bf16: the f32 output from the saved f32 statistics
            x, mean, inv_std = saved
            y32 = x.astype(np.float32)
            y32 -= mean
            y32 *= inv_std
            grad = self.backward(y32, inv_std, grad_y.astype(np.float32), axes)
            return grad.astype(y.dtype)
        inv_std = saved
        g = grad_y.astype(y.dtype, copy=False)
        t: Array = np.multiply(g, y, out=np.empty_like(y))
        mean_gy = keep_sum(t, axes)
        mean_gy /= n
        mean_g = keep_sum(g, axes)
        mean_g /= n
        np.multiply(y, mean_gy, out=t)  # t = y * mean(g y)
        np.subtract(g, t, out=t)
        t -= mean_g
        t *= inv_std
        return t
