"""Dtypes: ``f16 bf16 f32 f64 i64 bool_``.

Each dtype is a class, used both as a type argument (``Tensor[S, f32, Cpu]``) and as a value
(``dev.zeros((2, 3), dtype=f64)``). A dtype class is never instantiated; it carries the
matching numpy dtype (bf16 comes from ``ml_dtypes``).
"""

from __future__ import annotations

import builtins
from typing import Any, ClassVar, Generic, TypeVar

import ml_dtypes
import numpy as np

from dfdx_py.errors import DTypeError


class _DTypeMeta(type):
    def __repr__(cls) -> str:
        return cls.__name__

    def __str__(cls) -> str:
        return cls.__name__


class DType(metaclass=_DTypeMeta):
    """Base of every dtype class."""

    numpy: ClassVar[np.dtype[Any]]
    is_float: ClassVar[bool] = False
    # ``type`` and ``__name__`` of the numpy scalar type let jaxtyping read the dtype name.
    type: ClassVar[builtins.type[Any]]

    def __init__(self) -> None:
        raise TypeError(f"{type(self).__name__} is a dtype class; use it without calling it")


class f16(DType):
    """IEEE half precision."""

    numpy = np.dtype(np.float16)
    type = np.float16
    is_float = True


class bf16(DType):
    """bfloat16 (8-bit exponent, 7-bit mantissa), stored with ``ml_dtypes.bfloat16``."""

    numpy = np.dtype(ml_dtypes.bfloat16)
    type = ml_dtypes.bfloat16
    is_float = True


class f32(DType):
    """IEEE single precision: the default float dtype."""

    numpy = np.dtype(np.float32)
    type = np.float32
    is_float = True


class f64(DType):
    """IEEE double precision."""

    numpy = np.dtype(np.float64)
    type = np.float64
    is_float = True


class i64(DType):
    """64-bit signed integer: indices, labels, ``arange``."""

    numpy = np.dtype(np.int64)
    type = np.int64


class bool_(DType):
    """Booleans: the result of comparisons, the condition of ``choose``."""

    numpy = np.dtype(np.bool_)
    type = np.bool_


H = TypeVar("H", f16, bf16)


class _AmpMeta(_DTypeMeta):
    def __getitem__(cls, half: Any) -> Any:
        return amp_dtype(half)


class AMP(DType, Generic[H], metaclass=_AmpMeta):
    """Automatic mixed precision, as dfdx's ``AMP<F>``: ``AMP[f16]``, ``AMP[bf16]``.

    Tensors are stored in the half dtype ``H``; matmuls, convolutions, reductions, softmax
    and norms accumulate in f32, and the optimizers keep an f32 master copy of every AMP
    parameter (their updates would vanish below half precision's resolution otherwise).
    ``AMP[bf16]`` is a real dtype class at run time (``dtype=AMP[bf16]``) and a type argument
    (``Tensor[S, AMP[bf16], Cuda]``). PyTorch's closest equivalent is ``torch.autocast``.
    """

    half: ClassVar[type[DType]]
    is_float = True


_AMP: dict[type[DType], type[AMP[Any]]] = {}


def amp_dtype(half: Any) -> type[AMP[Any]]:
    """The dtype class ``AMP[half]`` (one class per half dtype, made on first use)."""
    if half not in (f16, bf16):
        raise DTypeError(f"AMP[{getattr(half, '__name__', half)}]: AMP takes f16 or bf16")
    if half not in _AMP:
        name = f"AMP[{half.__name__}]"
        attrs = {"half": half, "numpy": half.numpy, "type": half.type, "__module__": __name__}
        made: Any = _AmpMeta(name, (AMP,), {**attrs, "__qualname__": name})
        _AMP[half] = made
    return _AMP[half]


def storage_dtype(dtype: type[DType]) -> type[DType]:
    """The dtype a tensor of ``dtype`` is stored as: ``bf16`` for ``AMP[bf16]``, else itself."""
    return dtype.half if issubclass(dtype, AMP) else dtype


def is_half(dtype: type[DType]) -> bool:
    """Whether ``dtype`` is stored in 16 bits (f16, bf16, AMP[f16], AMP[bf16])."""
    return storage_dtype(dtype) in (f16, bf16)


ALL_DTYPES: tuple[type[DType], ...] = (f16, bf16, f32, f64, i64, bool_)
FLOAT_DTYPES: tuple[type[DType], ...] = (f16, bf16, f32, f64)

_BY_NUMPY: dict[np.dtype[Any], type[DType]] = {d.numpy: d for d in ALL_DTYPES}
_BY_NAME: dict[str, type[DType]] = {d.__name__: d for d in ALL_DTYPES}


def from_numpy(dtype: np.dtype[Any]) -> type[DType]:
    """The dtype class holding numpy dtype ``dtype``; ``DTypeError`` if there is none."""
    try:
        return _BY_NUMPY[dtype]
    except KeyError:
        pass
    if dtype.kind in "iu":
        return i64
    raise DTypeError(f"numpy dtype {dtype} has no dfdx_py dtype (supported: {_names()})")


def as_dtype(dtype: Any) -> type[DType]:
    """Accept a dtype class or its name (``"f32"``); raise ``DTypeError`` otherwise."""
    if isinstance(dtype, type) and issubclass(dtype, DType) and dtype not in (DType, AMP):
        return dtype
    if isinstance(dtype, str) and dtype in _BY_NAME:
        return _BY_NAME[dtype]
    if isinstance(dtype, str) and dtype in ("AMP[f16]", "AMP[bf16]"):
        return amp_dtype(_BY_NAME[dtype[4:-1]])
    raise DTypeError(f"{dtype!r} is not a dtype (supported: {_names()})")


def _names() -> str:
    return ", ".join(d.__name__ for d in ALL_DTYPES)
