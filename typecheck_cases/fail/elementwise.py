"""Binary ops need equal shapes (no implicit broadcasting), one dtype and one device."""

from typing import Literal, TypeVar

from dfdx_py import Cpu, Rank1, Rank2, Tensor, f32, f64
from dfdx_py.devices.base import Device
from dfdx_py.ops import choose, maximum, minimum

dev = Cpu(seed=0)
a = dev.zeros((2, 3))
b = dev.zeros((3, 2))

a + b  # E: add: shapes differ: (2, 3) vs (3, 2): axis 0: 2 != 3  [tensor-shape]
a - dev.zeros((2,))  # E: sub: shapes differ: (2, 3) vs (2,): rank 2 != 1 (no implicit broadcasting; use broadcast_to)
a * dev.zeros((2, 1))  # E: mul: shapes differ: (2, 3) vs (2, 1): axis 1: 3 != 1
a / b  # E: div: shapes differ
_ = a > b  # E: gt: shapes differ
a.eq(b)  # E: eq: shapes differ
maximum(a, b)  # E: maximum: shapes differ
minimum(a, b)  # E: minimum: shapes differ
choose(a > 0, a, b)  # E: choose: shapes differ: (2, 3) vs (3, 2)
choose(a, a, a)  # E: choose: needs a bool_ cond (compare first), got f32  [tensor-dtype]
a + dev.zeros((2, 3), dtype=f64)  # E: add: dtypes differ: f32 vs f64 (left vs right); convert one with to_dtype  [tensor-dtype]
maximum(a, dev.ones((2, 3), dtype=f64))  # E: maximum: dtypes differ: f32 vs f64


class Gpu(Device):
    """A second device kind, for the device checks."""

    kind = "gpu"


gpu = Gpu(seed=0)
a + gpu.zeros((2, 3))  # E: add: devices differ: Cpu vs Gpu (left vs right); move one with .to(device)  [tensor-device]

B = TypeVar("B", bound=int)
C = TypeVar("C", bound=int)


def symbols(x: Tensor[Rank1[B], f32, Cpu], y: Tensor[Rank1[C], f32, Cpu], z: Tensor[Rank1[Literal[4]], f32, Cpu]) -> None:
    x + y  # E: add: shapes differ: (B,) vs (C,): axis 0: B != C (different symbols) (B bound in symbols, C bound in symbols)
    x + z  # E: add: shapes differ: (B,) vs (4,): axis 0: B != 4 (a symbol is not a static size; use realize)


def dtypes(i: Tensor[Rank2[2, 3], f32, Cpu]) -> None:
    dev.arange(3).exp()  # E: exp: needs a float tensor, got i64  [tensor-dtype]
    (i > 0).relu()  # E: relu: needs a float or i64 tensor, got bool_
choose(dev.zeros((2, 3)) > 0, 1.0, 2)  # E: choose: a or b must be a tensor (both are Python scalars)  [tensor-dtype]
