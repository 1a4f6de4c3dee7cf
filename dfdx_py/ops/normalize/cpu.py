"""normalize on the Cpu: mean, deviations, variance and scaling in one fresh buffer."""

from typing import Any

import numpy as np

from dfdx_py.ops.cpu_common import keep_sum, reduced_size, work_array
from dfdx_py.ops.normalize import NORMALIZE

Array = np.ndarray[Any, Any]


@NORMALIZE.register("cpu")
class NormalizeCpu:
    def forward(self, x: Array, axes: tuple[int, ...], eps: float) -> tuple[Array, Array]:
        n = reduced_size(x.shape, axes)
        w = work_array(x)
        if n == 0:
            return np.empty_like(x), np.empty((), dtype=w.dtype)
        mean = keep_sum(w, axes)
        mean /= n
        y = np.subtract(w, mean, out=np.empty_like(w))
        inv_std = keep_sum(np.square(y), axes)
        inv_std /= n
        inv_std += eps
        np.sqrt(inv_std, out=inv_std)
        np.reciprocal(inv_std, out=inv_std)
        y *= inv_std
        return y.astype(x.dtype, copy=False), inv_std

    def backward(self, y: Array, inv_std: Array, grad_y: Array, axes: tuple[int, ...]) -> Array:
        n = reduced_size(y.shape, axes)
        if n == 0:
            return np.zeros_like(y)
        w = work_array(y)
        g = grad_y.astype(w.dtype, copy=False)
        t: Array = np.multiply(g, w, out=np.empty_like(w))
        mean_gy = keep_sum(t, axes)
        mean_gy /= n
        mean_g = keep_sum(g, axes)
        mean_g /= n
        np.multiply(w, mean_gy, out=t)  # t = y * mean(g y)
        np.subtract(g, t, out=t)
        t -= mean_g
        t *= inv_std
        return t.astype(y.dtype, copy=False)
