"""Op checks shared by every op test: forward against NumPy and PyTorch, backward against
central finite differences in f64, half precision (f16, bf16, AMP) against f64, with shapes
drawn by hypothesis.

An op test is then a few lines::

    @given(case=float_arrays())
    def test_relu(dev, case):
        check_op(dev, lambda x: x.relu(), np_fn=lambda x: np.maximum(x, 0),
                 torch_fn=torch.relu, inputs=[case])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dfdx_py as dfdx
from dfdx_py.devices.base import Device
from dfdx_py.dtypes import storage_dtype
from dfdx_py.tensor import Tensor

Array = np.ndarray[Any, Any]

TOLERANCES = {  # (rtol, atol) for forward comparisons
    "f64": (1e-9, 1e-12),
    "f32": (1e-5, 1e-6),
    "f16": (2e-3, 2e-3),
    "bf16": (2e-2, 2e-2),
}

HALF_TOLERANCES = {"f16": 2e-3, "bf16": 1.6e-2}
"""Max-relative tolerances of the half-precision checks (``check_half``): an f16/bf16 result
(forward value or gradient) may differ from the f64 computation on the same half-rounded
inputs by at most ``tol * max|f64 result|`` (plus what f32 itself loses and the subnormal
spacing: ``assert_half_close``). That is four units of roundoff (f16: 2**-11 ~ 4.9e-4, bf16:
2**-8 ~ 3.9e-3): a kernel computes half in f32 and rounds once, which alone stays within one
unit; the rest is room for the several rounded steps of a composed test function (``x * 2 -
y``), whose gradient passes back through every step. Measuring against the largest
magnitude keeps values near zero (sums that cancel) from failing spuriously; a kernel that
accumulates in half fails by far on large reductions (a bf16 sum of 19200 numbers is off by
percents), which ``tests/ops/test_half.py`` checks with a per-element bound."""


def device_params() -> list[Any]:
    """pytest params for every device kind. ``cuda`` is always listed (select it with
    ``-m cuda``); the ``dev`` fixture decides at set-up whether it runs (see conftest)."""
    return [pytest.param("cpu", id="cpu"), pytest.param("cuda", id="cuda", marks=pytest.mark.cuda)]


def make_device(kind: str, seed: int = 0, emulate: bool = False) -> Device:
    """A device of ``kind``: the real GPU when there is one, else the CPU emulation of the
    Cuda device when ``emulate`` (``pytest --cuda-emulator``), else a skip saying why."""
    if kind == "cpu":
        return dfdx.Cpu(seed=seed)
    from dfdx_py.devices.cuda import cuda_unavailable_reason

    reason = cuda_unavailable_reason()
    if reason is None:
        return dfdx.Cuda(0, seed=seed)
    if emulate:
        from tests.cuda_emulator.context import EmulatedCuda

        return EmulatedCuda(0, seed=seed)
    pytest.skip(f"{reason} (pytest --cuda-emulator runs these on the CPU emulation)")


HALF = (dfdx.f16, dfdx.bf16)
HALF_CHECKED: tuple[tuple[type[dfdx.DType], bool], ...] = (
    (dfdx.f16, True),
    (dfdx.bf16, True),
    (dfdx.AMP[dfdx.bf16], True),
    (dfdx.AMP[dfdx.f16], False),
)
"""The dtypes ``check_op`` also checks, and whether it checks their gradients too."""


def shares_storage(a: Any, b: Any) -> bool:
    """Whether two storages share memory: numpy views of one buffer, or Cuda arrays at one
    address (a free reshape)."""
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return bool(np.shares_memory(a, b))
    if type(a) is not type(b):  # storages of two kinds of device never share memory
        return False
    return bool(a.ptr == b.ptr)


# -- hypothesis strategies ------------------------------------------------------------------


def shapes(min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 4) -> Any:
    """Small shapes, so finite differences stay cheap."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def arrays_of(
    shape: tuple[int, ...], seed: int, low: float | None = None, high: float | None = None
) -> Array:
    """Random f64 values of ``shape``: standard normal, or uniform in [low, high)."""
    rng = np.random.default_rng(seed)
    if low is not None and high is not None:
        return rng.uniform(low, high, shape)
    return rng.standard_normal(shape)


@st.composite
def float_arrays(
    draw: Any,
    min_dims: int = 0,
    max_dims: int = 4,
    max_side: int = 4,
    low: float | None = None,
    high: float | None = None,
) -> Array:
    """One f64 array of a drawn shape (normal, or uniform in [low, high))."""
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims, max_side=max_side))
    seed = draw(st.integers(0, 2**32 - 1))
    return arrays_of(shape, seed, low, high)


# -- checks ---------------------------------------------------------------------------------


def as_tensor(dev: Device, value: Any, dtype: type[dfdx.DType]) -> Any:
    """A numpy float array becomes a tensor of ``dtype``; ints, bools and others pass as is."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            return dev.tensor(value, dtype=dtype)
        return dev.tensor(value)
    return value


def _to_torch(value: Any, dtype: torch.dtype) -> Any:
    if isinstance(value, np.ndarray):
        t = torch.from_numpy(np.array(value, copy=True))
        return t.to(dtype) if value.dtype.kind == "f" else t
    return value


def check_forward(
    dev: Device,
    fn: Callable[..., Tensor[Any, Any, Any]],
    inputs: Sequence[Any],
    np_fn: Callable[..., Any] | None = None,
    torch_fn: Callable[..., Any] | None = None,
    dtype: type[dfdx.DType] = dfdx.f64,
    tol: tuple[float, float] | None = None,
    keep_dtype: bool = True,
) -> Tensor[Any, Any, Any]:
    """``fn`` on tensors equals ``np_fn`` on the arrays and ``torch_fn`` on torch tensors.

    ``inputs`` holds numpy arrays (float ones become tensors of ``dtype``) and other
    arguments passed unchanged. The result's shape is checked, and with ``keep_dtype`` a float
    result must have the inputs' ``dtype`` (no silent promotion).
    """
    rtol, atol = tol or TOLERANCES[storage_dtype(dtype).__name__]
    out = fn(*[as_tensor(dev, v, dtype) for v in inputs])
    assert isinstance(out, Tensor)
    got = out.numpy()
    assert got.shape == out.shape
    assert got.dtype == out.dtype.numpy, f"storage is {got.dtype}, the tensor says {out.dtype}"
    if keep_dtype and out.dtype.is_float:
        assert out.dtype is dtype, f"a {dtype} input gave a {out.dtype} output"
    if np_fn is not None:
        cast = [
            v.astype(dtype.numpy) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
            for v in inputs
        ]
        want = np.asarray(np_fn(*cast))
        assert got.shape == want.shape, f"shape {got.shape}, numpy says {want.shape}"
        np.testing.assert_allclose(
            got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=atol
        )
    if torch_fn is not None:
        tdtype = {
            "f64": torch.float64,
            "f32": torch.float32,
            "f16": torch.float16,
            "bf16": torch.bfloat16,
        }[storage_dtype(dtype).__name__]
        want_t = torch_fn(*[_to_torch(v, tdtype) for v in inputs])
        want = (
            want_t.detach().to(torch.float64).numpy()
            if want_t.is_floating_point()
            else want_t.numpy()
        )
        assert got.shape == want.shape, f"shape {got.shape}, torch says {want.shape}"
        np.testing.assert_allclose(got.astype(np.float64), want, rtol=rtol, atol=atol)
    return out


def check_backward(
    dev: Device,
    fn: Callable[..., Tensor[Any, Any, Any]],
    inputs: Sequence[Any],
    wrt: Sequence[int] | None = None,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    torch_fn: Callable[..., Any] | None = None,
) -> None:
    """Gradients of ``sum(fn(*inputs) * w)`` (random ``w``) against central finite
    differences in f64, for the float array inputs (or those listed in ``wrt``).

    All traced inputs share one ``Gradients`` store, so this also checks that either
    operand of an op may be the traced one. With ``torch_fn`` the gradients are also
    compared with ``torch.autograd``.
    """
    if wrt is None:
        wrt = [i for i, v in enumerate(inputs) if isinstance(v, np.ndarray) and v.dtype.kind == "f"]
    tensors = [as_tensor(dev, v, dfdx.f64) for v in inputs]
    probe = fn(*tensors)
    weights = np.random.default_rng(1234).standard_normal(probe.shape)

    def value(args: Sequence[Any]) -> float:
        out = fn(*[as_tensor(dev, v, dfdx.f64) for v in args]).numpy()
        return float(np.sum(out * weights))

    grads = dfdx.Gradients()
    traced = list(tensors)
    for i in wrt:
        traced[i] = tensors[i].trace(grads)
    out = fn(*traced)
    assert out.is_traced, "the output of an op on a traced tensor must be traced"
    loss = (out * dev.tensor(weights, dtype=dfdx.f64)).sum() if out.shape else out * float(weights)
    loss.backward()
    for i in wrt:
        got = grads.get(tensors[i]).numpy()
        base = np.array(inputs[i], dtype=np.float64)
        want = np.zeros_like(base)
        for j in np.ndindex(base.shape):
            args = list(inputs)
            plus = base.copy()
            plus[j] += eps
            args[i] = plus
            f_plus = value(args)
            minus = base.copy()
            minus[j] -= eps
            args[i] = minus
            want[j] = (f_plus - value(args)) / (2 * eps)
        assert got.shape == base.shape
        np.testing.assert_allclose(
            got, want, rtol=rtol, atol=atol, err_msg=f"gradient of input {i}"
        )
    if torch_fn is not None:
        t_inputs = [_to_torch(v, torch.float64) for v in inputs]
        for i in wrt:
            t_inputs[i].requires_grad_(True)
        t_out = torch_fn(*t_inputs)
        (t_out * torch.from_numpy(weights)).sum().backward()
        for i in wrt:
            np.testing.assert_allclose(
                grads.get(tensors[i]).numpy(),
                t_inputs[i].grad.numpy(),
                rtol=1e-7,
                atol=1e-9,
                err_msg=f"gradient of input {i} vs torch",
            )


def check_op(
    dev: Device,
    fn: Callable[..., Tensor[Any, Any, Any]],
    inputs: Sequence[Any],
    np_fn: Callable[..., Any] | None = None,
    torch_fn: Callable[..., Any] | None = None,
    grad: bool = True,
    wrt: Sequence[int] | None = None,
    f32_tol: tuple[float, float] | None = None,
) -> None:
    """Forward in f64 and f32 against NumPy and PyTorch, then backward in f64 against
    finite differences (and torch.autograd), then f16, bf16 and the AMP dtypes against f64
    (``check_half``: forward, and with ``grad`` the gradients)."""
    check_forward(dev, fn, inputs, np_fn, torch_fn, dfdx.f64)
    check_forward(dev, fn, inputs, np_fn, torch_fn, dfdx.f32, tol=f32_tol)
    if grad:
        check_backward(dev, fn, inputs, wrt=wrt, torch_fn=torch_fn)
    for dtype, with_grad in HALF_CHECKED:
        check_half(dev, fn, inputs, dtype, grad=grad and with_grad, wrt=wrt)


def assert_half_close(
    got: Array, want: Array, f32: Array, dtype: type[dfdx.DType], what: str
) -> None:
    """``max|got - want| <= tol * max|want| + 2 * max|f32 - want| + 2 * tiny`` over the finite
    elements of ``want`` (``got`` must be non-finite exactly where ``want`` is, with the same
    infinities), ``tol`` the ``HALF_TOLERANCES`` of half-precision ``dtype`` and ``tiny`` its
    smallest subnormal.

    ``f32`` is the op computed in f32 on the same inputs: half precision is that computation
    rounded once, so its error is its rounding plus whatever f32 itself loses (an
    ill-conditioned gradient, such as normalize's over two elements, is a small difference of
    large terms already in f32). Below the smallest normal number half precision is only
    ``tiny``-accurate: a gradient of 1e-6 has no relative precision left in f16."""
    half = storage_dtype(dtype)
    tol = HALF_TOLERANCES[half.__name__]
    tiny = float(np.spacing(np.zeros((), dtype=half.numpy)))
    got, want, f32 = (np.asarray(a, dtype=np.float64) for a in (got, want, f32))
    assert got.shape == want.shape, f"{what}: shape {got.shape}, f64 gives {want.shape}"
    finite = np.isfinite(want)
    if not finite.all():
        np.testing.assert_array_equal(
            got[~finite], want[~finite], err_msg=f"{what}: infinities and NaNs differ"
        )
    got, want, f32 = got[finite], want[finite], f32[finite]
    err = float(np.max(np.abs(got - want), initial=0.0))
    scale = float(np.max(np.abs(want), initial=0.0))
    f32_err = np.abs(f32 - want)
    slack = float(np.max(f32_err[np.isfinite(f32_err)], initial=0.0))
    allowed = tol * scale + 2 * slack + 2 * tiny
    assert err <= allowed, (
        f"{what}: max|error| {err:.3g} > {allowed:.3g} = {tol:g} * max|f64| {scale:.3g} "
        f"+ 2 * f32's error {slack:.3g} + 2 * {tiny:.3g}"
    )


def _is_float_array(value: Any) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind == "f"


def check_half(
    dev: Device,
    fn: Callable[..., Tensor[Any, Any, Any]],
    inputs: Sequence[Any],
    dtype: type[dfdx.DType],
    grad: bool = True,
    wrt: Sequence[int] | None = None,
) -> None:
    """``fn`` in half-precision ``dtype`` (f16, bf16, AMP[f16], AMP[bf16]) against ``fn`` in
    f64 on the same half-rounded inputs, within ``HALF_TOLERANCES`` (max-relative, see
    ``assert_half_close``).

    The float array inputs become ``dtype`` tensors; their values, read back, are the f64
    (and f32) reference's inputs, so only the op's own rounding is measured. The output keeps
    ``dtype`` (an AMP dtype stays AMP) and its storage is the half dtype. A non-float output
    (a comparison) must equal the f64 one exactly. With ``grad``, the gradients of
    ``sum(fn(*inputs) * w)`` (``w`` random, rounded to half) with respect to the float inputs
    (or those in ``wrt``) are compared the same way, and are half-precision arrays too.
    """
    half = storage_dtype(dtype)
    tensors = [as_tensor(dev, v, dtype) for v in inputs]
    rounded = [
        t.numpy().astype(np.float64) if _is_float_array(v) else v
        for t, v in zip(tensors, inputs, strict=True)
    ]
    refs = [as_tensor(dev, v, dfdx.f64) for v in rounded]
    out = fn(*tensors)
    want = fn(*refs)
    got = out.numpy()
    assert got.shape == out.shape == want.shape, f"{dtype}: shape {got.shape}, f64 {want.shape}"
    if not want.dtype.is_float:
        assert out.dtype is want.dtype, f"{dtype}: a {out.dtype} output, f64 gives {want.dtype}"
        np.testing.assert_array_equal(got, want.numpy(), err_msg=f"{dtype} output")
        return
    assert out.dtype is dtype, f"a {dtype} input gave a {out.dtype} output"
    assert got.dtype == half.numpy, f"{dtype} output stored as {got.dtype}"
    refs32 = [as_tensor(dev, v, dfdx.f32) for v in rounded]
    assert_half_close(got, want.numpy(), fn(*refs32).numpy(), dtype, f"{dtype} output")
    if not grad:
        return
    if wrt is None:
        wrt = [i for i, v in enumerate(inputs) if _is_float_array(v)]
    if not wrt:
        return
    weights = np.random.default_rng(1234).standard_normal(out.shape)
    w_half = dev.tensor(weights, dtype=dtype)
    w_rounded = w_half.numpy().astype(np.float64)

    def grads_of(args: list[Any], w: Tensor[Any, Any, Any]) -> list[Array]:
        store = dfdx.Gradients()
        traced = list(args)
        for i in wrt:
            traced[i] = args[i].trace(store)
        y = fn(*traced)
        (y * w).sum().backward()
        return [store.get(args[i]).numpy() for i in wrt]

    grads = zip(
        wrt,
        grads_of(tensors, w_half),
        grads_of(refs, dev.tensor(w_rounded, dtype=dfdx.f64)),
        grads_of(refs32, dev.tensor(w_rounded, dtype=dfdx.f32)),
        strict=True,
    )
    for i, g, g_ref, g32 in grads:
        assert g.dtype == half.numpy, f"{dtype} gradient of input {i} stored as {g.dtype}"
        assert_half_close(g, g_ref, g32, dtype, f"{dtype} gradient of input {i}")


def _as_outputs(out: Any) -> list[Tensor[Any, Any, Any]]:
    return list(out) if isinstance(out, tuple) else [out]


def check_module_gradients(
    dev: Device,
    model: Any,
    inputs: Sequence[Array],
    pack: Callable[[list[Any]], Any] | None = None,
    train: bool = False,
    eps: float = 1e-6,
    rtol: float = 1e-6,
    atol: float = 1e-8,
) -> None:
    """Gradients of ``Σ out · w`` (random ``w``; ``out`` a tensor or a tuple of them) with
    respect to every input and every parameter of the f64 ``model``, against central finite
    differences, through the path users take: the inputs traced on ``model.alloc_grads()``,
    the parameters joining their tape for the call. ``pack`` turns the list of input tensors
    into the module's input (default: the one tensor, or a tuple of several); ``train`` runs
    ``forward_mut`` instead of a plain call."""
    pack = pack or (lambda ts: ts[0] if len(ts) == 1 else tuple(ts))
    call = model.forward_mut if train else model

    def value(arrays: Sequence[Array]) -> float:
        outs = _as_outputs(call(pack([dev.tensor(a, dtype=dfdx.f64) for a in arrays])))
        return sum(float(np.sum(o.numpy() * w)) for o, w in zip(outs, weights, strict=True))

    probe = _as_outputs(call(pack([dev.tensor(a, dtype=dfdx.f64) for a in inputs])))
    rng = np.random.default_rng(99)
    weights = [rng.standard_normal(o.shape) for o in probe]

    grads = model.alloc_grads()
    tensors = [dev.tensor(a, dtype=dfdx.f64) for a in inputs]
    outs = _as_outputs(call(pack([t.trace(grads) for t in tensors])))
    loss = sum(
        ((o * dev.tensor(w, dtype=dfdx.f64)).sum() for o, w in zip(outs, weights, strict=True)), 0.0
    )
    assert isinstance(loss, Tensor)
    loss.backward()
    assert all(not p.is_traced for p in model.parameters()), "parameters untraced after"

    def finite_differences(base: Array, evaluate: Callable[[Array], float]) -> Array:
        want = np.zeros_like(base)
        for i in np.ndindex(base.shape):
            values = []
            for step in (eps, -eps):
                moved = base.copy()
                moved[i] += step
                values.append(evaluate(moved))
            want[i] = (values[0] - values[1]) / (2 * eps)
        return want

    for name, p in model.named_parameters():
        base = p.numpy()

        def with_param(moved: Array, p: Any = p) -> float:
            p._data = dev._from_numpy(moved)
            return value(inputs)

        want = finite_differences(base, with_param)
        p._data = dev._from_numpy(base)
        np.testing.assert_allclose(grads.get(p).numpy(), want, rtol=rtol, atol=atol, err_msg=name)

    arrays = [np.array(a, dtype=np.float64) for a in inputs]
    for k, t in enumerate(tensors):

        def with_input(moved: Array, k: int = k) -> float:
            return value([moved if j == k else a for j, a in enumerate(arrays)])

        want = finite_differences(arrays[k], with_input)
        np.testing.assert_allclose(
            grads.get(t).numpy(), want, rtol=rtol, atol=atol, err_msg=f"input {k}"
        )
