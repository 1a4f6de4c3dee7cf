"""The comparisons on the Cpu: one numpy ufunc each."""

from typing import Any, ClassVar

import numpy as np

from dfdx_py.ops.cmp import EQ, GE, GT, LE, LT, NE

Array = np.ndarray[Any, Any]


class CmpCpu:
    """A comparison on the Cpu: ``fn`` is the numpy ufunc that computes it."""

    fn: ClassVar[np.ufunc]

    def forward(self, a: Array, b: Array) -> Array:
        return np.asarray(self.fn(a, b))

    def scalar_forward(self, x: Array, scalar: float | int | bool) -> Array:
        if x.dtype.kind not in "iub":  # a float tensor: the scalar in its dtype (NEP 50)
            return np.asarray(self.fn(x, x.dtype.type(scalar)))
        return np.asarray(self.fn(x, scalar))  # i64 vs 0.5 compares exactly


@EQ.register("cpu")
class EqCpu(CmpCpu):
    fn = np.equal


@NE.register("cpu")
class NeCpu(CmpCpu):
    fn = np.not_equal


@GT.register("cpu")
class GtCpu(CmpCpu):
    fn = np.greater


@GE.register("cpu")
class GeCpu(CmpCpu):
    fn = np.greater_equal


@LT.register("cpu")
class LtCpu(CmpCpu):
    fn = np.less


@LE.register("cpu")
class LeCpu(CmpCpu):
    fn = np.less_equal
