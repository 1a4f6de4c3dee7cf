"""var on the Cpu: two passes (mean, then the mean of squared deviations)."""

import numpy as np

from dfdx_py.ops.cpu_common import in_f32, reduced_size, sum_axes, work_array
from dfdx_py.ops.reduction import Array, expand_to
from dfdx_py.ops.var import VAR


def deviations(w: Array, axes: tuple[int, ...], n: int) -> Array:
    """``w - mean(w)`` over ``axes``, in a fresh array."""
    mean = np.asarray(sum_axes(w, axes))
    mean /= n
    return np.subtract(w, expand_to(mean, axes, w.shape), out=np.empty_like(w))


@VAR.register("cpu")
class VarCpu:
    def forward(self, x: Array, axes: tuple[int, ...]) -> Array:
        if x.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return in_f32(self.forward, x, axes)
        n = reduced_size(x.shape, axes)
        if n == 0:
            shape = tuple(d for i, d in enumerate(x.shape) if i not in axes)
            return np.full(shape, np.nan, dtype=x.dtype)
        d = deviations(work_array(x), axes, n)
        np.square(d, out=d)
        v = np.asarray(sum_axes(d, axes))
        v /= n
        return v.astype(x.dtype, copy=False)

    def backward(self, x: Array, y: Array, grad_y: Array, axes: tuple[int, ...]) -> Array:
        if x.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return in_f32(self.backward, x, y, grad_y, axes)
        n = reduced_size(x.shape, axes)
        if n == 0:
            return np.zeros_like(x)
        w = work_array(x)
        d = deviations(w, axes, n)
        g = np.multiply(grad_y, 2.0 / n, dtype=w.dtype)
        d *= expand_to(g, axes, x.shape)
        return d.astype(x.dtype, copy=False)
