"""std on the Cpu: var's two passes, then the square root."""

import numpy as np

from dfdx_py.ops.cpu_common import in_f32, reduced_size, work_array
from dfdx_py.ops.reduction import Array, expand_to
from dfdx_py.ops.std import STD
from dfdx_py.ops.var.cpu import VarCpu, deviations

_VAR = VarCpu()


@STD.register("cpu")
class StdCpu:
    def forward(self, x: Array, axes: tuple[int, ...], eps: float) -> Array:
        if x.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return in_f32(self.forward, x, axes, eps)
        v = _VAR.forward(work_array(x), axes)
        v += eps
        y = np.sqrt(v, out=v)
        return y.astype(x.dtype, copy=False)

    def backward(self, x: Array, y: Array, grad_y: Array, axes: tuple[int, ...]) -> Array:
        if x.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return in_f32(self.backward, x, y, grad_y, axes)
        n = reduced_size(x.shape, axes)
        if n == 0:
            return np.zeros_like(x)
        w = work_array(x)
        d = deviations(w, axes, n)
        s = work_array(y) * n
        g = np.divide(grad_y, s, out=np.zeros_like(s), where=s != 0)  # 0 where std is 0
        d *= expand_to(g, axes, x.shape)
        return d.astype(x.dtype, copy=False)
