"""``Tensor[Shape, Dtype, Device]``: an n-dimensional array whose type carries its shape.

A tensor holds device storage (a numpy array on ``Cpu``), its ``shape`` (a tuple of ints),
its ``dtype`` (a dtype class such as ``f32``) and its ``device``. A *traced* tensor also holds
the tape its backward operations are recorded on (see ``dfdx_py.autograd``).

Tensors are created by a device (``dev.zeros((2, 3))``), never with ``Tensor(...)``. Their
methods are thin wrappers around the op functions of ``dfdx_py.ops``, where each op's
forward, backward and kernels live.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np

from dfdx_py.dtypes import DType, bool_
from dfdx_py.errors import DTypeError, ShapeError, TapeError

if TYPE_CHECKING:
    from dfdx_py.autograd.gradients import Gradients
    from dfdx_py.autograd.tape import Tape
    from dfdx_py.devices.base import Device

S = TypeVar("S", bound=tuple[int, ...], covariant=True)
E = TypeVar("E", bound=DType)
D = TypeVar("D", bound="Device")
E2 = TypeVar("E2", bound=DType)
D2 = TypeVar("D2", bound="Device")

Scalar = float | int
Axes = int | tuple[int, ...] | None

_uids = itertools.count(1)


class Tensor(Generic[S, E, D]):
    """A typed tensor: ``Tensor[Rank2[2, 3], f32, Cpu]``.

    ``S`` (the shape) is covariant, so a tensor with a ``Const`` dim is accepted where a
    ``Dyn`` dim is expected. Arithmetic never broadcasts implicitly: use ``broadcast_to``.
    """

    __slots__ = ("__weakref__", "_data", "_tape", "device", "dtype", "shape", "uid")
    __array_priority__ = 1000  # numpy scalars on the left defer to our reflected operators

    _data: Any
    shape: tuple[int, ...]
    dtype: type[DType]
    device: D
    _tape: Tape | None
    uid: int

    def __init__(self) -> None:
        raise TypeError("create tensors with a device: dev.zeros(...), dev.tensor(...)")

    # -- basic properties ----------------------------------------------------------------

    @property
    def ndim(self) -> int:
        """The rank: ``len(shape)``."""
        return len(self.shape)

    @property
    def numel(self) -> int:
        """The number of elements."""
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def is_traced(self) -> bool:
        """Whether this tensor records its ops on a tape."""
        return self._tape is not None

    def __len__(self) -> int:
        if not self.shape:
            raise ShapeError("len: a Rank0 tensor has no length")
        return self.shape[0]

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        traced = ", traced" if self._tape is not None else ""
        body = np.array2string(self.numpy(), separator=", ", threshold=20)
        where = f"shape={self.shape}, dtype={self.dtype}, device={self.device!r}"
        return f"Tensor({body}, {where}{traced})"

    # -- conversion ----------------------------------------------------------------------

    def numpy(self) -> np.ndarray[Any, Any]:
        """A numpy copy of the values (``torch.Tensor.numpy`` + copy)."""
        return np.array(self.device._to_numpy(self._data), copy=True)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray[Any, Any]:
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number (``torch.Tensor.item``)."""
        if self.numel != 1:
            raise ShapeError(f"item: needs a tensor with one element, got shape {self.shape}")
        return self.device._to_numpy(self._data).reshape(()).item()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.numel != 1:
            raise ShapeError(
                f"bool: the truth value of a tensor of shape {self.shape} is ambiguous; "
                "reduce it first"
            )
        return bool(self.item())

    def to(self, device: D2) -> Tensor[S, E, D2]:
        """This tensor on ``device`` (``torch.Tensor.to``); gradients flow back across."""
        return _ops.to_device(self, device)

    def to_dtype(self, dtype: type[E2]) -> Tensor[S, E2, D]:
        """This tensor converted to ``dtype`` (``torch.Tensor.to(dtype)``)."""
        return _ops.to_dtype(self, dtype)

    def __dlpack__(
        self,
        *,
        stream: Any = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[int, int] | None = None,
        copy: bool | None = None,
    ) -> Any:
        """A DLPack capsule on this tensor's memory, for ``torch.from_dlpack(t)``,
        ``np.from_dlpack(t)``, JAX or CuPy (no copy; see ``dfdx_py.dlpack``)."""
        from dfdx_py.dlpack import to_dlpack

        return to_dlpack(self, stream, max_version, dl_device, copy)

    def __dlpack_device__(self) -> tuple[int, int]:
        """DLPack's ``(device_type, device_id)``: ``(1, 0)`` on the Cpu, ``(2, ordinal)`` on
        Cuda."""
        from dfdx_py.dlpack import dlpack_device

        return dlpack_device(self)

    # -- the tape ------------------------------------------------------------------------

    def trace(self, grads: Gradients | None = None) -> Tensor[S, E, D]:
        """A traced copy of this tensor recording onto ``grads`` (a fresh store if ``None``).

        ``x`` itself stays untraced; ``grads.get(x)`` reads its gradient after ``backward``.
        An integer tensor (token ids for an embedding) carries the tape but has no gradient.
        """
        return _trace(self, grads)

    def traced(self, grads: Gradients | None = None) -> Tensor[S, E, D]:
        """Hand this tensor over to the tape: like ``trace``, for ``f(x.traced(grads))``."""
        return _trace(self, grads)

    def detach(self) -> Tensor[S, E, D]:
        """An untraced tensor with the same values, distinct from this one for gradients."""
        return wrap(self._data, self.dtype, self.device)

    def backward(self) -> Gradients:
        """Backpropagate from this Rank0 traced tensor; return the filled gradient store."""
        from dfdx_py.autograd.tape import backward

        return backward(self)

    # -- elementwise ---------------------------------------------------------------------

    def abs(self) -> Tensor[S, E, D]:
        """|x| (``torch.abs``)."""
        return _ops.abs(self)

    def exp(self) -> Tensor[S, E, D]:
        """e^x (``torch.exp``)."""
        return _ops.exp(self)

    def ln(self) -> Tensor[S, E, D]:
        """Natural log (``torch.log``)."""
        return _ops.ln(self)

    def sqrt(self) -> Tensor[S, E, D]:
        """√x (``torch.sqrt``)."""
        return _ops.sqrt(self)

    def square(self) -> Tensor[S, E, D]:
        """x² (``torch.square``)."""
        return _ops.square(self)

    def sin(self) -> Tensor[S, E, D]:
        """sin x (``torch.sin``)."""
        return _ops.sin(self)

    def cos(self) -> Tensor[S, E, D]:
        """cos x (``torch.cos``)."""
        return _ops.cos(self)

    def tanh(self) -> Tensor[S, E, D]:
        """tanh x (``torch.tanh``)."""
        return _ops.tanh(self)

    def sigmoid(self) -> Tensor[S, E, D]:
        """1 / (1 + e^-x) (``torch.sigmoid``)."""
        return _ops.sigmoid(self)

    def relu(self) -> Tensor[S, E, D]:
        """max(x, 0) (``torch.relu``)."""
        return _ops.relu(self)

    def gelu(self) -> Tensor[S, E, D]:
        """GeLU, tanh form (``torch.nn.functional.gelu(x, approximate="tanh")``)."""
        return _ops.gelu(self)

    def fast_gelu(self) -> Tensor[S, E, D]:
        """GeLU, tanh form; the same as ``gelu``."""
        return _ops.fast_gelu(self)

    def accurate_gelu(self) -> Tensor[S, E, D]:
        """GeLU, erf form (``torch.nn.functional.gelu(x)``)."""
        return _ops.accurate_gelu(self)

    def leaky_relu(self, slope: float = 0.01) -> Tensor[S, E, D]:
        """x if x > 0 else slope·x (``torch.nn.functional.leaky_relu``)."""
        return _ops.leaky_relu(self, slope)

    def recip(self) -> Tensor[S, E, D]:
        """1 / x (``torch.reciprocal``)."""
        return _ops.recip(self)

    def powf(self, exponent: float) -> Tensor[S, E, D]:
        """x ** exponent for a float exponent (``torch.pow``)."""
        return _ops.powf(self, exponent)

    def powi(self, exponent: int) -> Tensor[S, E, D]:
        """x ** n for an int n (``torch.pow``)."""
        return _ops.powi(self, exponent)

    def clamp(self, lo: float, hi: float) -> Tensor[S, E, D]:
        """min(max(x, lo), hi) (``torch.clamp``)."""
        return _ops.clamp(self, lo, hi)

    def nans_to(self, value: float) -> Tensor[S, E, D]:
        """NaNs replaced by ``value`` (``torch.nan_to_num(x, nan=value)``)."""
        return _ops.nans_to(self, value)

    def negate(self) -> Tensor[S, E, D]:
        """-x (``torch.neg``)."""
        return _ops.negate(self)

    def dropout(self, p: float = 0.5) -> Tensor[S, E, D]:
        """Zero elements with probability ``p`` and scale the rest by 1/(1-p), on a traced
        tensor only (``torch.nn.functional.dropout``); an untraced tensor passes unchanged."""
        return _ops.dropout(self, p)

    def __neg__(self) -> Tensor[S, E, D]:
        return _ops.negate(self)

    # -- binary arithmetic (same shape, or a Python scalar) ------------------------------

    def __add__(self, other: Tensor[Any, E, D] | Scalar) -> Tensor[S, E, D]:
        return _ops.add(self, other)

    def __radd__(self, other: Scalar) -> Tensor[S, E, D]:
        return _ops.add(self, other)

    def __sub__(self, other: Tensor[Any, E, D] | Scalar) -> Tensor[S, E, D]:
        return _ops.sub(self, other)

    def __rsub__(self, other: Scalar) -> Tensor[S, E, D]:
        return _ops.add(_ops.negate(self), other)

    def __mul__(self, other: Tensor[Any, E, D] | Scalar) -> Tensor[S, E, D]:
        return _ops.mul(self, other)

    def __rmul__(self, other: Scalar) -> Tensor[S, E, D]:
        return _ops.mul(self, other)

    def __truediv__(self, other: Tensor[Any, E, D] | Scalar) -> Tensor[S, E, D]:
        return _ops.div(self, other)

    def __rtruediv__(self, other: Scalar) -> Tensor[S, E, D]:
        return _ops.mul(_ops.recip(self), other)

    def __matmul__(self, other: Tensor[Any, E, D]) -> Tensor[Any, E, D]:
        return _ops.matmul(self, other)

    # -- comparisons: bool_ tensors ------------------------------------------------------

    def eq(self, other: Tensor[Any, E, D] | Scalar) -> Tensor[S, bool_, D]:
        """Elementwise ``==`` (``torch.eq``)."""
        return _ops.eq(self, other)

    def ne(self, other: Tensor[Any, E, D] | Scalar) -> Tensor[S, bool_, D]:
        """Elementwise ``!=`` (``torch.ne``)."""
        return _ops.ne(self, other)

    def gt(self, other: Tensor[Any, E, D] | Scalar) -> Tensor[S, bool_, D]:
        """Elementwise ``>`` (``torch.gt``)."""
        return _ops.gt(self, other)

    def ge(self, other: Tensor[Any, E, D] | Scalar) -> Tensor[S, bool_, D]:
        """Elementwise ``>=`` (``torch.ge``)."""
        return _ops.ge(self, other)

    def lt(self, other: Tensor[Any, E, D] | Scalar) -> Tensor[S, bool_, D]:
        """Elementwise ``<`` (``torch.lt``)."""
        return _ops.lt(self, other)

    def le(self, other: Tensor[Any, E, D] | Scalar) -> Tensor[S, bool_, D]:
        """Elementwise ``<=`` (``torch.le``)."""
        return _ops.le(self, other)

    def __eq__(self, other: Tensor[Any, E, D] | Scalar) -> Tensor[S, bool_, D]:  # type: ignore[override]
        if not isinstance(other, (Tensor, int, float, np.number)):
            return NotImplemented  # t == None is False, as for any Python object
        return _ops.eq(self, other)

    def __ne__(self, other: Tensor[Any, E, D] | Scalar) -> Tensor[S, bool_, D]:  # type: ignore[override]
        if not isinstance(other, (Tensor, int, float, np.number)):
            return NotImplemented
        return _ops.ne(self, other)

    def __gt__(self, other: Tensor[Any, E, D] | Scalar) -> Tensor[S, bool_, D]:
        return _ops.gt(self, other)

    def __ge__(self, other: Tensor[Any, E, D] | Scalar) -> Tensor[S, bool_, D]:
        return _ops.ge(self, other)

    def __lt__(self, other: Tensor[Any, E, D] | Scalar) -> Tensor[S, bool_, D]:
        return _ops.lt(self, other)

    def __le__(self, other: Tensor[Any, E, D] | Scalar) -> Tensor[S, bool_, D]:
        return _ops.le(self, other)

    # -- broadcast and reductions --------------------------------------------------------

    def broadcast_to(self, shape: tuple[int, ...], axes: Axes = None) -> Tensor[Any, E, D]:
        """Add the new axes of ``shape`` (by default the leading ones; ``axes`` names their
        positions in ``shape``) (``torch.broadcast_to``). Size-1 dims are never stretched:
        ``(3, 1)`` does not broadcast to ``(3, 4)``; reshape to ``(3,)`` first."""
        return _ops.broadcast_to(self, shape, axes)

    def sum(self, axis: Axes = None) -> Tensor[Any, E, D]:
        """Sum over ``axis`` (all axes when ``None``), removing it (``torch.sum``)."""
        return _ops.sum(self, axis)

    def mean(self, axis: Axes = None) -> Tensor[Any, E, D]:
        """Mean over ``axis``, removing it (``torch.mean``)."""
        return _ops.mean(self, axis)

    def max(self, axis: Axes = None) -> Tensor[Any, E, D]:
        """Maximum over ``axis``, removing it (``torch.amax``)."""
        return _ops.max(self, axis)

    def min(self, axis: Axes = None) -> Tensor[Any, E, D]:
        """Minimum over ``axis``, removing it (``torch.amin``)."""
        return _ops.min(self, axis)

    def var(self, axis: Axes = None) -> Tensor[Any, E, D]:
        """Biased variance over ``axis`` (``torch.var(x, unbiased=False)``)."""
        return _ops.var(self, axis)

    def std(self, axis: Axes = None, eps: float = 0.0) -> Tensor[Any, E, D]:
        """sqrt(var + eps) over ``axis`` (``torch.std(x, unbiased=False)`` when eps is 0)."""
        return _ops.std(self, axis, eps)

    def logsumexp(self, axis: Axes = None) -> Tensor[Any, E, D]:
        """log Σ e^x over ``axis``, computed stably (``torch.logsumexp``)."""
        return _ops.logsumexp(self, axis)

    def softmax(self, axis: int | tuple[int, ...] = -1) -> Tensor[S, E, D]:
        """e^x / Σ e^x along ``axis`` (``torch.softmax``)."""
        return _ops.softmax(self, axis)

    def log_softmax(self, axis: int | tuple[int, ...] = -1) -> Tensor[S, E, D]:
        """x - logsumexp(x) along ``axis`` (``torch.log_softmax``)."""
        return _ops.log_softmax(self, axis)

    def normalize(self, axis: int | tuple[int, ...] = -1, eps: float = 1e-5) -> Tensor[S, E, D]:
        """(x - mean) / sqrt(var + eps) along ``axis`` (``torch.nn.functional.layer_norm``
        without weight and bias)."""
        return _ops.normalize(self, axis, eps)

    # -- shape ---------------------------------------------------------------------------

    def reshape(self, shape: tuple[int, ...]) -> Tensor[Any, E, D]:
        """The same elements in a new shape; at most one dim may be -1 (``torch.reshape``)."""
        return _ops.reshape(self, shape)

    def permute(self, axes: tuple[int, ...]) -> Tensor[Any, E, D]:
        """Axes reordered: ``out.shape[i] == shape[axes[i]]`` (``torch.permute``)."""
        return _ops.permute(self, axes)

    def transpose(self, a: int, b: int) -> Tensor[Any, E, D]:
        """Axes ``a`` and ``b`` swapped (``torch.transpose``)."""
        return _ops.transpose(self, a, b)

    def realize(self, shape: tuple[int, ...]) -> Tensor[Any, E, D]:
        """This tensor, checked at run time to have ``shape`` (dfdx's ``realize``): a static
        narrowing of Dyn dims to the dims written."""
        return _ops.realize(self, shape)

    def __getitem__(self, index: Any) -> Tensor[Any, E, D]:
        return _ops.slice_(self, index)

    def select(
        self, indices: Tensor[Any, Any, D] | int, axis: int | None = None
    ) -> Tensor[Any, E, D]:
        """Pick one element along ``axis`` per index, removing the axis (dfdx's ``select``)."""
        return _ops.select(self, indices, axis)

    def gather(self, indices: Tensor[Any, Any, D], axis: int | None = None) -> Tensor[Any, E, D]:
        """Pick several elements along ``axis``, replacing the axis (dfdx's ``gather``)."""
        return _ops.gather(self, indices, axis)

    def roll(self, shift: int, axis: int) -> Tensor[S, E, D]:
        """Elements shifted by ``shift`` along ``axis``, wrapping around (``torch.roll``)."""
        return _ops.roll(self, shift, axis)

    def tril(self, k: int = 0) -> Tensor[S, E, D]:
        """Zero above the k-th diagonal of the last two axes (``torch.tril``)."""
        return _ops.tril(self, k)

    def triu(self, k: int = 0) -> Tensor[S, E, D]:
        """Zero below the k-th diagonal of the last two axes (``torch.triu``)."""
        return _ops.triu(self, k)


def wrap(data: Any, dtype: type[DType], device: Device) -> Tensor[Any, Any, Any]:
    """A new untraced tensor around device storage ``data`` (for ops and devices)."""
    t: Tensor[Any, Any, Any] = object.__new__(Tensor)
    t._data = data
    t.shape = data.shape
    t.dtype = dtype
    t.device = device
    t._tape = None
    t.uid = next(_uids)
    return t


def check_same_device(op: str, tensors: Sequence[Tensor[Any, Any, Any]]) -> None:
    """``DeviceError`` unless every tensor lives on one device."""
    first = tensors[0].device
    for t in tensors[1:]:
        if t.device is not first and t.device != first:
            from dfdx_py.errors import DeviceError

            raise DeviceError(f"{op}: tensors on different devices: {first!r} and {t.device!r}")


def check_same_dtype(op: str, tensors: Sequence[Tensor[Any, Any, Any]]) -> None:
    """``DTypeError`` unless every tensor has one dtype."""
    first = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype is not first:
            raise DTypeError(f"{op}: dtypes differ: {first} and {t.dtype}")


def _trace(t: Tensor[Any, Any, Any], grads: Gradients | None) -> Tensor[Any, Any, Any]:
    from dfdx_py.autograd.gradients import Gradients
    from dfdx_py.autograd.tape import Tape

    if t._tape is not None:
        raise TapeError("trace: this tensor is already traced; call .detach() first")
    if grads is None:
        grads = Gradients(leaky=True)
    tape = grads._live_tape
    if tape is None or tape.merged_into is not None:
        tape = grads._live_tape = Tape(grads)
    if t.dtype.is_float:  # an integer tensor (token ids) carries the tape but has no gradient
        grads.register(t)
    out: Tensor[Any, Any, Any] = object.__new__(Tensor)
    out._data = t._data
    out.shape = t.shape
    out.dtype = t.dtype
    out.device = t.device
    out._tape = tape
    out.uid = t.uid  # the same tensor for the store: grads.get(x) works on the untraced x
    return out


from dfdx_py import ops as _ops  # noqa: E402  (ops import Tensor: import them last)
