"""Loss functions (dfdx's ``losses``): each takes two tensors of one shape and returns the
``Rank0`` mean loss, built from tensor ops so its gradient comes from the tape::

    loss = losses.cross_entropy_with_logits_loss(model.forward_mut(x.traced(grads)), y)
    grads = loss.backward()

Either argument may be traced (the gradient with respect to a target is computed too). The
two shapes must be equal (no broadcasting): a mismatch raises ``ShapeError`` naming the
loss and both shapes; different or non-float dtypes raise ``DTypeError``.

The classification losses take target *probabilities* of the logits' shape, the class axis
last (dfdx's convention); encode class labels one-hot first.

Half-precision inputs (f16, bf16, AMP) are computed in f32 and the loss rounded once to their
dtype, as ``torch.autocast`` runs losses in f32 (and dfdx's AMP accumulates reductions in
f32): a loss and its gradient (``softmax - target``, ``sigmoid(x) - t``) are small
differences of terms that half precision would round one op at a time.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, TypeVar

from dfdx_py.dtypes import f32, is_half
from dfdx_py.errors import DTypeError, ShapeError, shapes_differ
from dfdx_py.ops import choose
from dfdx_py.shapes import Rank0
from dfdx_py.tensor import Tensor, check_same_device
from dfdx_py.type_vars import D, E, S

__all__ = [
    "binary_cross_entropy_with_logits_loss",
    "cross_entropy_with_logits_loss",
    "huber_loss",
    "kl_div_with_logits_loss",
    "mae_loss",
    "mse_loss",
    "rmse_loss",
    "smooth_l1_loss",
]


L = TypeVar("L", bound=Callable[..., Any])


def _in_f32(loss: L) -> L:
    """``loss`` computed in f32 for two half-precision tensors of one dtype, the result
    converted back to it (rounded once); the gradients flow back through both conversions.
    Anything else (f32, f64, or mismatched arguments that ``_check`` rejects) runs as is."""

    names = loss.__code__.co_varnames[:2]  # the two tensors, positional or by keyword

    @functools.wraps(loss)
    def run(*args: Any, **kwargs: Any) -> Any:
        given = {**dict(zip(names, args, strict=False)), **kwargs}
        a, b = given.get(names[0]), given.get(names[1])
        half: Any = getattr(a, "dtype", None)
        if isinstance(a, Tensor) and isinstance(b, Tensor) and b.dtype is half and is_half(half):
            wide = [a.to_dtype(f32), b.to_dtype(f32)]
            n = min(len(args), 2)  # how many of the two came positionally
            others = {k: v for k, v in kwargs.items() if k not in names}
            by_name = {names[i]: wide[i] for i in range(n, 2)}
            return loss(*wide[:n], *args[2:], **others, **by_name).to_dtype(half)
        return loss(*args, **kwargs)

    return run  # type: ignore[return-value]


def _check(
    loss: str,
    a: Any,
    b: Any,
    names: tuple[str, str] = ("pred", "target"),
    class_axis: bool = False,
) -> None:
    """The checks every loss makes on its two tensors."""
    for name, t in zip(names, (a, b), strict=True):
        if not isinstance(t, Tensor):
            raise TypeError(f"{loss}: {name} must be a Tensor, got {type(t).__name__}")
    hint = ""
    if class_axis:
        hint = "; target_probs holds probabilities of the logits' shape (one-hot for labels)"
    if a.shape != b.shape:
        raise shapes_differ(loss, a.shape, b.shape, f"{names[0]} vs {names[1]}{hint}")
    if not a.dtype.is_float or not b.dtype.is_float:
        raise DTypeError(
            f"{loss}: needs float tensors, got {names[0]} {a.dtype} and {names[1]} {b.dtype}" + hint
        )
    if a.dtype is not b.dtype:
        raise DTypeError(f"{loss}: dtypes differ: {names[0]} is {a.dtype}, {names[1]} is {b.dtype}")
    check_same_device(loss, [a, b])
    if class_axis and a.ndim == 0:
        raise ShapeError(
            f"{loss}: logits of shape () have no class axis (the last axis holds the classes)"
        )


def _positive(loss: str, name: str, value: Any, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{loss}: {name} must be a number, got {value!r}")
    v = float(value)
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{loss}: {name} must be finite and {bound}, got {value!r}")
    return v


@_in_f32
def mse_loss(pred: Tensor[S, E, D], target: Tensor[S, E, D]) -> Tensor[Rank0, E, D]:
    """Mean squared error, ``mean((pred - target)²)``.
    PyTorch: ``F.mse_loss(pred, target)``::

        >>> losses.mse_loss(dev.tensor([1.0, 2.0]), dev.tensor([1.0, 4.0])).item()
        2.0
    """
    _check("mse_loss", pred, target)
    return (pred - target).square().mean()


@_in_f32
def rmse_loss(pred: Tensor[S, E, D], target: Tensor[S, E, D]) -> Tensor[Rank0, E, D]:
    """Root mean squared error, ``sqrt(mean((pred - target)²))``.
    PyTorch: ``torch.sqrt(F.mse_loss(pred, target))``. Its gradient is undefined (NaN) when
    ``pred == target`` everywhere, as PyTorch's::

        >>> losses.rmse_loss(dev.tensor([0.0, 0.0]), dev.tensor([3.0, -3.0])).item()
        3.0
    """
    _check("rmse_loss", pred, target)
    return (pred - target).square().mean().sqrt()


@_in_f32
def mae_loss(pred: Tensor[S, E, D], target: Tensor[S, E, D]) -> Tensor[Rank0, E, D]:
    """Mean absolute error, ``mean(|pred - target|)``. PyTorch: ``F.l1_loss(pred, target)``
    (the gradient at ``pred == target`` is 0, as PyTorch's)::

        >>> losses.mae_loss(dev.tensor([1.0, 2.0]), dev.tensor([2.0, 4.0])).item()
        1.5
    """
    _check("mae_loss", pred, target)
    return (pred - target).abs().mean()


@_in_f32
def huber_loss(
    pred: Tensor[S, E, D], target: Tensor[S, E, D], delta: float = 1.0
) -> Tensor[Rank0, E, D]:
    """Huber loss: the mean over elements of ``d = |pred - target|`` of ``0.5 * d²`` where
    ``d < delta`` and ``delta * (d - 0.5 * delta)`` elsewhere (squared error near the target,
    absolute error far from it). PyTorch: ``F.huber_loss(pred, target, delta=delta)``
    (dfdx requires ``delta``; the default ``1.0`` is PyTorch's). ``delta`` must be > 0::

        >>> losses.huber_loss(dev.tensor([0.5, 3.0]), dev.tensor([0.0, 0.0]), 1.0).item()
        1.3125
    """
    _check("huber_loss", pred, target)
    delta = _positive("huber_loss", "delta", delta)
    diff = pred - target
    dist = diff.abs()
    near = diff.square() * 0.5
    far = (dist - 0.5 * delta) * delta
    return choose(dist < delta, near, far).mean()


@_in_f32
def smooth_l1_loss(
    pred: Tensor[S, E, D], target: Tensor[S, E, D], beta: float = 1.0
) -> Tensor[Rank0, E, D]:
    """Smooth L1 loss, ``huber_loss(pred, target, beta) / beta``: the mean over elements of
    ``d = |pred - target|`` of ``0.5 * d² / beta`` where ``d < beta`` and ``d - 0.5 * beta``
    elsewhere. PyTorch: ``F.smooth_l1_loss(pred, target, beta=beta)``. ``beta`` must be
    >= 0; ``beta == 0`` is ``mae_loss``, as PyTorch's (dfdx would divide by zero)::

        >>> losses.smooth_l1_loss(dev.tensor([0.5, 3.0]), dev.tensor([0.0, 0.0]), 2.0).item()
        1.03125
    """
    _check("smooth_l1_loss", pred, target)
    beta = _positive("smooth_l1_loss", "beta", beta, allow_zero=True)
    if beta == 0.0:
        return mae_loss(pred, target)
    return huber_loss(pred, target, beta) * (1.0 / beta)


@_in_f32
def cross_entropy_with_logits_loss(
    logits: Tensor[S, E, D], target_probs: Tensor[S, E, D]
) -> Tensor[Rank0, E, D]:
    """Cross entropy between target probabilities and the softmax of ``logits`` over the
    last axis, summed over the classes and averaged over every other axis:
    ``-(target_probs * logits.log_softmax(-1)).sum(-1).mean()`` (dfdx's formula).

    ``target_probs`` has the logits' shape (one-hot rows for class labels; soft labels
    allowed). ``logits`` are raw scores, not probabilities: log_softmax is applied here,
    computed stably. PyTorch, with ``C`` classes:
    ``F.cross_entropy(logits.reshape(-1, C), target_probs.reshape(-1, C))`` (probability
    targets; for 2-D logits simply ``F.cross_entropy(logits, target_probs)``)::

        >>> logits = dev.tensor([[0.0, 0.0], [0.0, 0.0]])
        >>> labels = dev.tensor([[1.0, 0.0], [0.0, 1.0]])  # one-hot
        >>> round(losses.cross_entropy_with_logits_loss(logits, labels).item(), 6)
        0.693147
    """
    _check(
        "cross_entropy_with_logits_loss",
        logits,
        target_probs,
        ("logits", "target_probs"),
        class_axis=True,
    )
    return -(logits.log_softmax(-1) * target_probs).sum(-1).mean()


@_in_f32
def kl_div_with_logits_loss(
    logits: Tensor[S, E, D], target_probs: Tensor[S, E, D]
) -> Tensor[Rank0, E, D]:
    """Kullback-Leibler divergence ``KL(target || softmax(logits))`` over the last axis,
    averaged over every other axis:
    ``(target_probs * (target_probs.ln() - logits.log_softmax(-1))).sum(-1).mean()`` (dfdx's
    formula), where a zero target probability contributes 0 (``0 * ln 0 = 0``, as PyTorch's
    ``xlogy``; dfdx would give NaN).

    PyTorch, with ``C`` classes: ``F.kl_div(F.log_softmax(logits, -1).reshape(-1, C),
    target_probs.reshape(-1, C), reduction="batchmean")`` (for 2-D logits simply
    ``F.kl_div(F.log_softmax(logits, -1), target_probs, reduction="batchmean")``)::

        >>> logits = dev.tensor([[0.0, 0.0]])
        >>> losses.kl_div_with_logits_loss(logits, dev.tensor([[0.5, 0.5]])).item()
        0.0
    """
    _check(
        "kl_div_with_logits_loss",
        logits,
        target_probs,
        ("logits", "target_probs"),
        class_axis=True,
    )
    # ln(1) = 0 where the target is 0: t * ln t is then 0 with a finite gradient
    safe_log = choose(target_probs > 0, target_probs, 1.0).ln()
    return ((safe_log - logits.log_softmax(-1)) * target_probs).sum(-1).mean()


@_in_f32
def binary_cross_entropy_with_logits_loss(
    logits: Tensor[S, E, D], target_probs: Tensor[S, E, D]
) -> Tensor[Rank0, E, D]:
    """Binary cross entropy between targets in [0, 1] and ``sigmoid(logits)``, averaged over
    every element: ``mean(-t * ln σ(x) - (1 - t) * ln(1 - σ(x)))``, computed in the stable
    form ``max(x, 0) - x * t + ln(1 + e^-|x|)`` (finite for any logit, dfdx's
    ``bce_with_logits``). PyTorch: ``F.binary_cross_entropy_with_logits(logits,
    target_probs)``. ``logits`` are raw scores, not the output of a sigmoid::

        >>> logits = dev.tensor([100.0, -100.0])
        >>> losses.binary_cross_entropy_with_logits_loss(logits, dev.tensor([1.0, 0.0])).item()
        0.0
    """
    _check(
        "binary_cross_entropy_with_logits_loss",
        logits,
        target_probs,
        ("logits", "target_probs"),
    )
    x = logits
    magnitude = x.abs()
    # max(x, 0) written (x + |x|) / 2: its kink at 0 cancels that of ln(1 + e^-|x|), so the
    # gradient at x == 0 is sigmoid(0) - t exactly, whatever abs's gradient at 0 is
    positive_part = (x + magnitude) * 0.5
    return (positive_part - x * target_probs + ((-magnitude).exp() + 1.0).ln()).mean()
