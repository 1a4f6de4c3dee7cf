"""accurate_gelu on the Cpu: computed in f64 (``erf.py``), returned in the input's dtype."""

import math

import numpy as np

from dfdx_py.ops.accurate_gelu import ACCURATE_GELU
from dfdx_py.ops.accurate_gelu.erf import erfc
from dfdx_py.ops.elementwise import Array, UnaryCpu

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _cdf(x: Array) -> Array:
    """Φ(x) = 0.5 erfc(-x/√2) in f64: accurate also in the far left tail."""
    return 0.5 * erfc(-_SQRT_HALF * np.asarray(x, dtype=np.float64))


@ACCURATE_GELU.register("cpu")
class AccurateGeluCpu(UnaryCpu):
    def f(self, x: Array) -> Array:
        return (np.asarray(x, dtype=np.float64) * _cdf(x)).astype(x.dtype)

    def df(self, x: Array, y: Array) -> Array:
        x64 = np.asarray(x, dtype=np.float64)
        pdf = _INV_SQRT_2PI * np.exp(-0.5 * (x64 * x64))
        return (_cdf(x) + x64 * pdf).astype(x.dtype)
