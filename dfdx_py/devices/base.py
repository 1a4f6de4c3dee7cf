"""``Device``: what every device offers. A device allocates tensors and runs their kernels.

The public creation methods (``zeros``, ``tensor``, ``sample_normal`` ...) are written once
here on top of four storage primitives each device implements: ``_from_numpy``,
``_to_numpy``, ``_full`` and ``_add``. Random numbers come from a seeded numpy ``Generator``
on every device, so one seed gives the same values on the CPU and on a GPU.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, overload

import ml_dtypes
import numpy as np

from dfdx_py.dtypes import DType, as_dtype, f32, from_numpy, i64
from dfdx_py.errors import DTypeError, ShapeError
from dfdx_py.shapes import check_shape, fmt_shape

if TYPE_CHECKING:
    from dfdx_py.nn.module import Module
    from dfdx_py.tensor import Tensor

S = TypeVar("S", bound=tuple[int, ...])
E = TypeVar("E", bound=DType)
M = TypeVar("M", bound="Module")


class Device:
    """Base class of ``Cpu`` and ``Cuda``."""

    kind: ClassVar[str]
    """The kernel family this device runs: ``"cpu"`` or ``"cuda"``."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    # -- storage primitives (each device implements these) --------------------------------

    def _from_numpy(self, array: np.ndarray[Any, Any]) -> Any:
        """Device storage holding a copy (or, on the CPU, possibly a view) of ``array``."""
        raise NotImplementedError

    def _to_numpy(self, data: Any) -> np.ndarray[Any, Any]:
        """A numpy array with the values of device storage ``data``."""
        raise NotImplementedError

    def _full(self, shape: tuple[int, ...], dtype: type[DType], value: float) -> Any:
        """New storage of ``shape`` filled with ``value``."""
        raise NotImplementedError

    def _add(self, a: Any, b: Any) -> Any:
        """``a + b`` for two storages of one shape (gradient accumulation)."""
        raise NotImplementedError

    @property
    def key(self) -> Hashable:
        """Devices with equal keys share memory: their tensors combine freely."""
        return (self.kind,)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Device) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(seed={self.seed})"

    # -- creation --------------------------------------------------------------------------

    def _wrap_numpy(
        self, array: np.ndarray[Any, Any], dtype: type[DType]
    ) -> Tensor[Any, Any, Self]:
        from dfdx_py.tensor import wrap

        return wrap(self._from_numpy(array), dtype, self)

    @overload
    def zeros(self, shape: S) -> Tensor[S, f32, Self]: ...
    @overload
    def zeros(self, shape: S, dtype: type[E]) -> Tensor[S, E, Self]: ...
    def zeros(self, shape: Any, dtype: Any = f32) -> Any:
        """A tensor of zeros: ``dev.zeros((2, 3))`` (``torch.zeros``)."""
        return self.full(shape, 0, dtype=dtype)

    @overload
    def ones(self, shape: S) -> Tensor[S, f32, Self]: ...
    @overload
    def ones(self, shape: S, dtype: type[E]) -> Tensor[S, E, Self]: ...
    def ones(self, shape: Any, dtype: Any = f32) -> Any:
        """A tensor of ones: ``dev.ones((2, 3), dtype=f64)`` (``torch.ones``)."""
        return self.full(shape, 1, dtype=dtype)

    @overload
    def full(self, shape: S, value: float) -> Tensor[S, f32, Self]: ...
    @overload
    def full(self, shape: S, value: float, dtype: type[E]) -> Tensor[S, E, Self]: ...
    def full(self, shape: Any, value: float, dtype: Any = f32) -> Any:
        """A tensor filled with ``value``: ``dev.full((2, 3), 7.0)`` (``torch.full``)."""
        from dfdx_py.tensor import wrap

        dims = check_shape(shape, "full")
        dt = as_dtype(dtype)
        return wrap(self._full(dims, dt, value), dt, self)

    @overload
    def tensor(self, data: Any) -> Tensor[Any, Any, Self]: ...
    @overload
    def tensor(self, data: Any, shape: S) -> Tensor[S, Any, Self]: ...
    @overload
    def tensor(self, data: Any, shape: S, dtype: type[E]) -> Tensor[S, E, Self]: ...
    @overload
    def tensor(self, data: Any, *, dtype: type[E]) -> Tensor[Any, E, Self]: ...
    def tensor(self, data: Any, shape: Any = None, dtype: Any = None) -> Any:
        """A tensor from nested lists, a number or a numpy array (``torch.tensor``).

        Python floats give ``f32``, ints ``i64``, bools ``bool_``; a numpy array keeps its
        dtype unless ``dtype`` is given. ``shape``, when given, is checked against the data at
        run time (``ShapeError`` if it differs): ``dev.tensor(images, shape=(n, 784))``.
        """
        from dfdx_py.tensor import Tensor

        if isinstance(data, Tensor):
            dtype = data.dtype if dtype is None else dtype
            data = data.numpy()
        dt = None if dtype is None else as_dtype(dtype)
        array = _as_array(data, dt)
        if shape is not None:
            dims = check_shape(shape, "tensor")
            if array.shape != dims:
                raise ShapeError(
                    f"tensor: data has shape {fmt_shape(array.shape)}, "
                    f"declared shape is {fmt_shape(dims)}"
                )
        return self._wrap_numpy(array, from_numpy(array.dtype) if dt is None else dt)

    @overload
    def sample_normal(
        self, shape: S, mean: float = 0.0, std: float = 1.0
    ) -> Tensor[S, f32, Self]: ...
    @overload
    def sample_normal(
        self, shape: S, mean: float = 0.0, std: float = 1.0, *, dtype: type[E]
    ) -> Tensor[S, E, Self]: ...
    def sample_normal(
        self, shape: Any, mean: float = 0.0, std: float = 1.0, dtype: Any = f32
    ) -> Any:
        """Samples of N(mean, std²) from this device's seeded generator (``torch.randn``)."""
        dims = check_shape(shape, "sample_normal")
        dt = _float_dtype("sample_normal", dtype)
        values = self.rng.standard_normal(
            dims, dtype=np.float64 if dt.numpy.itemsize > 4 else np.float32
        )
        if mean != 0.0 or std != 1.0:
            values = values * std + mean
        return self._wrap_numpy(np.asarray(values, dtype=dt.numpy), dt)

    @overload
    def sample_uniform(
        self, shape: S, low: float = 0.0, high: float = 1.0
    ) -> Tensor[S, f32, Self]: ...
    @overload
    def sample_uniform(
        self, shape: S, low: float = 0.0, high: float = 1.0, *, dtype: type[E]
    ) -> Tensor[S, E, Self]: ...
    def sample_uniform(
        self, shape: Any, low: float = 0.0, high: float = 1.0, dtype: Any = f32
    ) -> Any:
        """Samples of U(low, high) from this device's seeded generator (``torch.rand``)."""
        dims = check_shape(shape, "sample_uniform")
        dt = _float_dtype("sample_uniform", dtype)
        values = self.rng.uniform(low, high, dims)
        return self._wrap_numpy(astype_rounded(np.asarray(values), dt.numpy), dt)

    def arange(self, n: int) -> Tensor[tuple[int], i64, Self]:
        """``[0, 1, ..., n-1]`` as ``i64`` (``torch.arange``)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ShapeError(f"arange: n must be an int >= 0, got {n!r}")
        return self._wrap_numpy(np.arange(n, dtype=np.int64), i64)

    # -- modules ---------------------------------------------------------------------------

    @overload
    def build_module(self, arch: type[M], dtype: type[DType] = f32) -> M: ...
    @overload
    def build_module(self, arch: Any, dtype: type[DType] = f32) -> Any: ...
    def build_module(self, arch: Any, dtype: Any = f32) -> Any:
        """A module of architecture ``arch`` with fresh parameters of ``dtype`` on this
        device (dfdx's ``build_module``)::

            Model = tuple[nn.Linear[784, 128], nn.ReLU, nn.Linear[128, 10]]
            model = dev.build_module(Model, f32)
        """
        from dfdx_py.nn.build import build_module

        return build_module(arch, self, dtype)


def _float_dtype(op: str, dtype: Any) -> type[DType]:
    dt = as_dtype(dtype)
    if not dt.is_float:
        raise DTypeError(f"{op}: needs a float dtype, got {dt}")
    return dt


_BF16 = np.dtype(ml_dtypes.bfloat16)


def astype_rounded(array: np.ndarray[Any, Any], dtype: np.dtype[Any]) -> np.ndarray[Any, Any]:
    """``array.astype(dtype)`` (a new array), rounded once to nearest even also where the
    plain cast rounds twice: ml_dtypes casts f64 (and i64) to bf16 through f32, which
    gets values just past a bf16 midpoint wrong. Here the f32 step rounds to odd instead,
    which makes the second rounding exact (f32 keeps 16 more bits than bf16). Every other
    cast numpy makes is rounded once already (f64 -> f16 directly; f16 <-> bf16 through
    f32, exact). Integers beyond 2**53 are rounded to f64 first."""
    if dtype != _BF16 or array.dtype.kind not in "fiu" or array.dtype.itemsize <= 4:
        return array.astype(dtype)
    x = array.astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        y = x.astype(np.float32)  # to nearest even; inf past the f32 range
        near = y.astype(np.float64)
        inexact = (near != x) & ~np.isnan(x)
        # round to odd: truncate toward zero (one step back where rounding went away from
        # zero), then set the last bit of every inexact result
        bits = y.view(np.uint32) - (inexact & (np.abs(near) > np.abs(x))).astype(np.uint32)
    bits |= inexact.astype(np.uint32)
    rounded: np.ndarray[Any, Any] = bits.view(np.float32).astype(dtype)
    return rounded


def _as_array(data: Any, dtype: type[DType] | None) -> np.ndarray[Any, Any]:
    """``data`` as a numpy array of a supported dtype."""
    if isinstance(data, np.ndarray):
        array = data.copy()  # the tensor must not change when the caller's array does
    else:
        array = np.asarray(data)
        if array.dtype == np.float64 and dtype is None:
            array = array.astype(np.float32)  # Python floats default to f32, as in PyTorch
    if array.dtype == object:
        raise ShapeError("tensor: nested lists are ragged or hold non-numbers")
    if dtype is not None:
        array = astype_rounded(array, dtype.numpy)
    elif array.dtype.kind in "iu" and array.dtype != np.int64:
        array = array.astype(np.int64)
    elif array.dtype.kind == "f" and array.dtype.itemsize not in (2, 4, 8):
        array = array.astype(np.float64)
    from_numpy(array.dtype)  # raises DTypeError for unsupported dtypes
    return array
