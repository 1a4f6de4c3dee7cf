"""The shared machinery of elementwise ops: unary (with scalar parameters) and binary.

An elementwise op writes only its formula. On the Cpu that is a subclass of ``UnaryCpu``
(``f`` and its derivative ``df``) or ``BinaryCpu`` (``f`` and the two partial derivatives);
``unary`` and ``binary`` below do the checks, call the device kernel and record the backward
pass on the tape, once for every op.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import numpy as np

from dfdx_py.autograd.tape import record
from dfdx_py.errors import DTypeError, shapes_differ
from dfdx_py.ops.registry import Op
from dfdx_py.tensor import Tensor, check_same_device, wrap

Array = np.ndarray[Any, Any]
T = TypeVar("T", bound=Tensor[Any, Any, Any])
"""Any tensor type: ``unary`` and ``binary`` return the type of their first operand."""


class UnaryKernel(Protocol):
    """What a device supplies for a unary op: forward, and backward returning ``grad_x``."""

    def forward(self, x: Any, *params: Any) -> Any: ...

    def backward(self, x: Any, y: Any, grad_y: Any, *params: Any) -> Any: ...


class BinaryKernel(Protocol):
    """What a device supplies for a binary op of two same-shaped tensors."""

    def forward(self, a: Any, b: Any) -> Any: ...

    def backward(
        self, a: Any, b: Any, y: Any, grad_y: Any, needs: Sequence[bool]
    ) -> tuple[Any, Any]: ...


class UnaryOp(Op[UnaryKernel]):
    """A unary op; ``ints`` says whether it also accepts ``i64`` tensors."""

    __slots__ = ("ints",)

    def __init__(self, name: str, package: str, *, ints: bool = False) -> None:
        super().__init__(name, package)
        self.ints = ints


class BinaryOp(Op[BinaryKernel]):
    """A binary op on two tensors of the same shape, dtype and device."""

    __slots__ = ("ints",)

    def __init__(self, name: str, package: str, *, ints: bool = False) -> None:
        super().__init__(name, package)
        self.ints = ints


def unary(op: UnaryOp, x: T, *params: Any) -> T:
    """Apply unary ``op`` to ``x`` with scalar ``params``, recording its backward if traced."""
    dtype = x.dtype
    if not dtype.is_float and not (op.ints and dtype.__name__ == "i64"):
        name = op.name.removeprefix("scalar_")  # the scalar form of add is still add to users
        raise DTypeError(f"{name}: not defined for {dtype} tensors")
    kernel = op.kernel(x.device)
    x_data = x._data
    y = kernel.forward(x_data, *params)
    out = wrap(y, dtype, x.device)
    if x._tape is not None:
        record(out, (x,), lambda grad_y, needs: (kernel.backward(x_data, y, grad_y, *params),))
    return out  # type: ignore[return-value]


def binary(op: BinaryOp, a: T, b: Tensor[Any, Any, Any]) -> T:
    """Apply binary ``op`` to two tensors of one shape (no implicit broadcasting)."""
    if a.shape != b.shape:
        raise shapes_differ(
            op.name, a.shape, b.shape, "dfdx_py never broadcasts implicitly: use broadcast_to"
        )
    dtype = a.dtype
    if b.dtype is not dtype:
        raise DTypeError(f"{op.name}: dtypes differ: {dtype} and {b.dtype}")
    if not dtype.is_float and not (op.ints and dtype.__name__ == "i64"):
        raise DTypeError(f"{op.name}: not defined for {dtype} tensors")
    device = a.device
    if b.device is not device:
        check_same_device(op.name, (a, b))
    kernel = op.kernel(device)
    a_data = a._data
    b_data = b._data
    y = kernel.forward(a_data, b_data)
    out = wrap(y, dtype, device)
    if a._tape is not None or b._tape is not None:
        record(
            out,
            (a, b),
            lambda grad_y, needs: kernel.backward(a_data, b_data, y, grad_y, needs),
        )
    return out  # type: ignore[return-value]


def scalar_param(op: str, x: Tensor[Any, Any, Any], value: Any) -> float | int:
    """A Python scalar operand checked against ``x``'s dtype (no float into an i64 tensor)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise DTypeError(f"{op}: expected a tensor or a Python number, got {type(value).__name__}")
    if not x.dtype.is_float:
        if not float(value).is_integer():
            raise DTypeError(f"{op}: float scalar {value} with a {x.dtype} tensor")
        if not _I64_MIN <= int(value) <= _I64_MAX:
            raise DTypeError(f"{op}: scalar {value} does not fit a {x.dtype} tensor")
        return int(value)
    return float(value)


_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1


def is_tensor(value: Any) -> bool:
    """Whether ``value`` is a ``Tensor`` (rather than a Python scalar operand)."""
    return isinstance(value, Tensor)


def _half_params(half: Any, params: tuple[Any, ...]) -> tuple[Any, ...]:
    """Float parameters rounded to the half dtype first (dfdx's parameters have the tensor's
    dtype; a scalar operand takes it as in NumPy and PyTorch), then used in f32."""
    with np.errstate(over="ignore"):  # past the half range: inf, as a half tensor would hold
        return tuple(float(half.type(p)) if isinstance(p, float) else p for p in params)


def _unary_half_backward(
    op: UnaryCpu, backward: Callable[..., Array], x: Array, grad_y: Array, params: tuple[Any, ...]
) -> Array:
    """``backward`` in f32 for a half ``x``: the output is recomputed in f32 from ``x`` (the
    stored half output can lose all precision in ``1 - y²`` or ``y (1 - y)``)."""
    half = x.dtype
    p = _half_params(half, params)
    x32 = x.astype(np.float32)
    g32 = grad_y.astype(np.float32)
    grad = backward(op, x32, op.f(x32, *p), g32, *p)
    return grad_y if grad is g32 else np.asarray(grad, dtype=half)


def _binary_half_backward(
    op: BinaryCpu,
    backward: Callable[..., tuple[Array | None, Array | None]],
    a: Array,
    b: Array,
    grad_y: Array,
    needs: Sequence[bool],
) -> tuple[Array | None, Array | None]:
    """``backward`` in f32 for half ``a`` and ``b``, the output recomputed in f32."""
    half = a.dtype
    a32 = a.astype(np.float32)
    b32 = b.astype(np.float32)
    g32 = grad_y.astype(np.float32)
    grads = backward(op, a32, b32, op.f(a32, b32), g32, needs)
    grad_a, grad_b = (
        g if g is None else grad_y if g is g32 else np.asarray(g, dtype=half) for g in grads
    )
    return grad_a, grad_b


class UnaryCpu:
    """A unary op on the Cpu written as its formula ``f`` and its derivative ``df``.

    ``df(x, y, *params)`` is dy/dx elementwise; it may use the input ``x``, the output ``y``
    or both. Override ``backward`` instead when the gradient has a cheaper form.

    f16 and bf16 (and the AMP dtypes stored as them) are computed in f32 and rounded once to
    half, as the Cuda kernels do: the formulas only ever see f32, f64 (or i64) arrays. Float
    parameters are rounded to the half dtype first (dfdx's parameters have the tensor's
    dtype), and the backward pass recomputes the output ``y`` in f32 from ``x``. ``forward``
    and the default ``backward`` check for half; a subclass's own ``backward`` is wrapped to.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("backward")
        if own is not None:

            @functools.wraps(own)
            def backward(self: UnaryCpu, x: Array, y: Array, grad_y: Array, *params: Any) -> Array:
                if x.itemsize == 2:  # f16/bf16: computed in f32, rounded once
                    return _unary_half_backward(self, own, x, grad_y, params)
                return own(self, x, y, grad_y, *params)  # type: ignore[no-any-return]

            cls.backward = backward  # type: ignore[method-assign]

    def f(self, x: Array, *params: Any) -> Array:
        raise NotImplementedError

    def df(self, x: Array, y: Array, *params: Any) -> Array:
        raise NotImplementedError

    def forward(self, x: Array, *params: Any) -> Array:
        if x.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return np.asarray(self.f(x.astype(np.float32), *_half_params(x.dtype, params)), x.dtype)
        return self.f(x, *params)

    def backward(self, x: Array, y: Array, grad_y: Array, *params: Any) -> Array:
        if x.itemsize == 2:
            return _unary_half_backward(self, UnaryCpu.backward, x, grad_y, params)
        return grad_y * self.df(x, y, *params)


class BinaryCpu:
    """A binary op on the Cpu written as ``f(a, b)`` and its partials ``dfa``, ``dfb``.

    f16 and bf16 are computed in f32 and rounded once, as in ``UnaryCpu``."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("backward")
        if own is not None:

            @functools.wraps(own)
            def backward(
                self: BinaryCpu, a: Array, b: Array, y: Array, grad_y: Array, needs: Sequence[bool]
            ) -> tuple[Array | None, Array | None]:
                if a.itemsize == 2:  # f16/bf16: computed in f32, rounded once
                    return _binary_half_backward(self, own, a, b, grad_y, needs)
                return own(self, a, b, y, grad_y, needs)  # type: ignore[no-any-return]

            cls.backward = backward  # type: ignore[method-assign]

    def f(self, a: Array, b: Array) -> Array:
        raise NotImplementedError

    def dfa(self, a: Array, b: Array, y: Array) -> Array:
        raise NotImplementedError

    def dfb(self, a: Array, b: Array, y: Array) -> Array:
        raise NotImplementedError

    def forward(self, a: Array, b: Array) -> Array:
        if a.itemsize == 2:  # f16/bf16: computed in f32, rounded once
            return np.asarray(self.f(a.astype(np.float32), b.astype(np.float32)), a.dtype)
        return self.f(a, b)

    def backward(
        self, a: Array, b: Array, y: Array, grad_y: Array, needs: Sequence[bool]
    ) -> tuple[Array | None, Array | None]:
        if a.itemsize == 2:
            return _binary_half_backward(self, BinaryCpu.backward, a, b, grad_y, needs)
        grad_a = grad_y * self.dfa(a, b, y) if needs[0] else None
        grad_b = grad_y * self.dfb(a, b, y) if needs[1] else None
        return grad_a, grad_b


def _scalars(x: Any, params: tuple[Any, ...]) -> tuple[Any, Any]:
    """The two scalar parameters of a Cuda unary kernel (0 if unused), in the type its kernel
    computes in: the dtype of ``x``; f32 for f16 and bf16, whose Python float parameters are
    rounded to half first, as on the Cpu (dfdx's parameters have the tensor's dtype)."""
    from dfdx_py.devices.cuda.context import HALF, compute_type

    p = [*params, 0, 0][:2]
    if x.dtype in HALF:
        with np.errstate(over="ignore"):  # past the half range: inf, as on the Cpu
            p = [x.dtype.type(v) if isinstance(v, float) else v for v in p]
    real = compute_type(x.dtype)
    return real(p[0]), real(p[1])


class UnaryCuda:
    """A unary op on the Cuda device: the kernels ``<kernel>_fwd_<dtype>`` and
    ``<kernel>_bwd_<dtype>`` that the ``UNARY_OP`` macro makes in ``<module>.cu``. A subclass
    names its ``module`` (and ``kernel`` when it differs from the module)."""

    module: str
    kernel: str | None = None

    def forward(self, x: Any, *params: Any) -> Any:
        from dfdx_py.devices.cuda.context import suffix, vector_items

        out = x.ctx.empty(x.shape, x.dtype)
        if x.size:
            name = f"{self.kernel or self.module}_fwd_{suffix(x.dtype)}"
            args = (x.size, *_scalars(x, params), x.ptr, out.ptr)
            x.ctx.launch(self.module, name, vector_items(x.size, x.dtype), args)
        return out

    def backward(self, x: Any, y: Any, grad_y: Any, *params: Any) -> Any:
        from dfdx_py.devices.cuda.context import suffix, vector_items

        grad_x = x.ctx.empty(x.shape, x.dtype)
        if x.size:
            name = f"{self.kernel or self.module}_bwd_{suffix(x.dtype)}"
            args = (x.size, *_scalars(x, params), x.ptr, y.ptr, grad_y.ptr, grad_x.ptr)
            x.ctx.launch(self.module, name, vector_items(x.size, x.dtype), args)
        return grad_x


class BinaryCuda:
    """A binary op on the Cuda device: the kernels ``<kernel>_fwd_<dtype>`` and
    ``<kernel>_bwd_<dtype>`` that the ``BINARY_OP`` macro makes in ``<module>.cu``."""

    module: str
    kernel: str | None = None

    def forward(self, a: Any, b: Any) -> Any:
        from dfdx_py.devices.cuda.context import suffix, vector_items

        out = a.ctx.empty(a.shape, a.dtype)
        if a.size:
            name = f"{self.kernel or self.module}_fwd_{suffix(a.dtype)}"
            args = (a.size, a.ptr, b.ptr, out.ptr)
            a.ctx.launch(self.module, name, vector_items(a.size, a.dtype), args)
        return out

    def backward(
        self, a: Any, b: Any, y: Any, grad_y: Any, needs: Sequence[bool]
    ) -> tuple[Any, Any]:
        from dfdx_py.devices.cuda.context import suffix

        grad_a = a.ctx.empty(a.shape, a.dtype) if needs[0] else None
        grad_b = a.ctx.empty(a.shape, a.dtype) if needs[1] else None
        if a.size:
            name = f"{self.kernel or self.module}_bwd_{suffix(a.dtype)}"
            ptr_a = 0 if grad_a is None else grad_a.ptr
            ptr_b = 0 if grad_b is None else grad_b.ptr
            args = (a.size, a.ptr, b.ptr, y.ptr, grad_y.ptr, ptr_a, ptr_b)
            a.ctx.launch(self.module, name, a.size, args)
        return grad_a, grad_b
