"""The comparisons on the Cuda device: the kernels of cmp.cu, writing bool storage."""

import operator
from typing import Any, ClassVar

import numpy as np

from dfdx_py.ops.cmp import EQ, GE, GT, LE, LT, NE

BOOL = np.dtype(np.bool_)
I64_MIN, I64_MAX = -(2**63), 2**63 - 1
ON_NUMBERS = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
"""Each comparison on Python numbers."""


class CmpCuda:
    """A comparison on the Cuda device: ``name`` is its kernels' prefix in ``cmp.cu``."""

    name: ClassVar[str]

    def forward(self, a: Any, b: Any) -> Any:
        from dfdx_py.devices.cuda.context import suffix

        out = a.ctx.empty(a.shape, BOOL)
        if a.size:
            kernel = f"{self.name}_fwd_{suffix(a.dtype)}"
            a.ctx.launch("cmp", kernel, a.size, (a.size, a.ptr, b.ptr, out.ptr))
        return out

    def scalar_forward(self, x: Any, scalar: float | int | bool) -> Any:
        from dfdx_py.devices.cuda.context import compute_type, suffix

        out = x.ctx.empty(x.shape, BOOL)
        if not x.size:
            return out
        if x.dtype.kind != "i":  # a float or bool tensor: the scalar in its dtype (NEP 50),
            # passed in the kernel's compute type (exactly: f32 holds every f16 and bf16)
            p = compute_type(x.dtype)(x.dtype.type(scalar))
            kernel = f"{self.name}_scalar_{suffix(x.dtype)}"
        elif isinstance(scalar, float):  # an i64 tensor and a float: compared in f64, as NumPy
            kernel, p = f"{self.name}_scalar_i64_f64", np.float64(scalar)
        elif not I64_MIN <= scalar <= I64_MAX:
            # beyond every i64: each element compares as 0 does (NumPy compares exactly too)
            value = np.bool_(ON_NUMBERS[self.name](0, scalar))
            x.ctx.launch("fill", "fill_bool", x.size, (x.size, value, out.ptr))
            return out
        else:
            kernel, p = f"{self.name}_scalar_i64", np.int64(scalar)
        x.ctx.launch("cmp", kernel, x.size, (x.size, p, x.ptr, out.ptr))
        return out


@EQ.register("cuda")
class EqCuda(CmpCuda):
    name = "eq"


@NE.register("cuda")
class NeCuda(CmpCuda):
    name = "ne"


@GT.register("cuda")
class GtCuda(CmpCuda):
    name = "gt"


@GE.register("cuda")
class GeCuda(CmpCuda):
    name = "ge"


@LT.register("cuda")
class LtCuda(CmpCuda):
    name = "lt"


@LE.register("cuda")
class LeCuda(CmpCuda):
    name = "le"
