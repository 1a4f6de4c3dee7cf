"""tril and triu on the Cpu: ``np.tril``/``np.triu`` (which mask the last two axes)."""

import numpy as np

from dfdx_py.devices.cpu import Array
from dfdx_py.ops.tri import TRIL, TRIU


@TRIL.register("cpu")
class TrilCpu:
    def forward(self, x: Array, k: int) -> Array:
        return np.tril(x, k)


@TRIU.register("cpu")
class TriuCpu:
    def forward(self, x: Array, k: int) -> Array:
        return np.triu(x, k)
