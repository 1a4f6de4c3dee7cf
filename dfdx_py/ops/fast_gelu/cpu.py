"""fast_gelu on the Cpu."""

import math

import numpy as np

from dfdx_py.ops.elementwise import Array, UnaryCpu
from dfdx_py.ops.fast_gelu import FAST_GELU

ALPHA = math.sqrt(2.0 / math.pi)  # Python floats: an f32 tensor stays f32
BETA = 0.044715


@FAST_GELU.register("cpu")
class FastGeluCpu(UnaryCpu):
    def f(self, x: Array) -> Array:
        inner = ALPHA * (x + BETA * (x * x * x))
        y: Array = 0.5 * x * (1 + np.tanh(inner))
        return y

    def df(self, x: Array, y: Array) -> Array:
        # d/dx 0.5 x (1 + t) = 0.5 (1 + t) + 0.5 x (1 - t²) α (1 + 3β x²)
        x2 = x * x
        t = np.tanh(ALPHA * (x + BETA * (x2 * x)))
        dy: Array = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * (ALPHA * (1 + 3 * BETA * x2))
        return dy
