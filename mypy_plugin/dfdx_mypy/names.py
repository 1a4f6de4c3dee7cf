"""Fullnames of the dfdx_py objects the plugin knows, in one place.

mypy names a method after the receiver's class (``dfdx_py.tensor.Tensor.sum``, and
``dfdx_py.devices.cpu.Cpu.zeros`` for ``Device.zeros`` called on a ``Cpu``: the dispatcher
recognises every ``Device`` subclass) and a function after the module that defines it
(``dfdx_py.ops.matmul.matmul``, whatever re-export the user imported).
"""

from __future__ import annotations

from typing import Final

PACKAGE: Final = "dfdx_py"
OPS_PREFIX: Final = "dfdx_py.ops."

TENSOR: Final = "dfdx_py.tensor.Tensor"
DEVICE: Final = "dfdx_py.devices.base.Device"
MODULE: Final = "dfdx_py.nn.module.Module"
SEQUENTIAL: Final = "dfdx_py.nn.sequential.Sequential"
DTYPE: Final = "dfdx_py.dtypes.DType"
BOOL_: Final = "dfdx_py.dtypes.bool_"
F16: Final = "dfdx_py.dtypes.f16"
BF16: Final = "dfdx_py.dtypes.bf16"
F32: Final = "dfdx_py.dtypes.f32"
F64: Final = "dfdx_py.dtypes.f64"
I64: Final = "dfdx_py.dtypes.i64"
AMP: Final = "dfdx_py.dtypes.AMP"
"""The generic ``AMP[H]`` class; the dtypes themselves are ``AMP_F16`` and ``AMP_BF16``."""
AMP_F16: Final = f"{AMP}[f16]"
AMP_BF16: Final = f"{AMP}[bf16]"
"""How ``rules.dtypes.concrete_dtype`` names ``AMP[f16]`` and ``AMP[bf16]``."""
HALF_DTYPES: Final = frozenset((F16, BF16))
"""The dtypes ``AMP`` takes."""
FLOAT_DTYPES: Final = frozenset((F16, BF16, F32, F64, AMP_F16, AMP_BF16))

RANKS: Final = {f"dfdx_py.shapes.Rank{n}": n for n in range(1, 7)}
"""``RankN`` sugar classes and their rank (``Rank0`` is a plain alias of ``tuple[()]``)."""


def op_function_name(fullname: str) -> str | None:
    """The op name of an op function's fullname (``dfdx_py.ops.matmul.matmul`` -> ``matmul``,
    ``dfdx_py.matmul`` -> ``matmul``), or ``None`` for anything else."""
    if fullname.startswith(OPS_PREFIX):
        return fullname.rsplit(".", 1)[1]
    head, _, name = fullname.rpartition(".")
    return name if head == PACKAGE else None
