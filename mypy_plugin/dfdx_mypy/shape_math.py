"""Pure shape arithmetic: what every op does to a shape, on plain tuples.

No mypy here: the rules translate mypy types into these values (``shape_types``), call one
function, and translate the answer back. That keeps the arithmetic unit-testable on tuples.

A *dim* is one of

- an ``int``: a static size (``Literal[5]`` / ``Const[5]``);
- ``DYN``: a size known only at run time (``int`` / ``Dyn``);
- a ``Sym``: a named size (a ``TypeVar`` bound to ``int``), the same wherever it appears.

A *shape* is a tuple of dims. Every op function returns the output shape, or a ``Failure``
whose message names the op, shows both full shapes, the axis and a hint (DESIGN §7).
``DYN`` is never a failure: it is checked at run time. Two different symbols, or a symbol and
a static size, are a failure (dfdx would reject them at compile time); the same symbol unifies.
When two dims unify, the result keeps the more precise one (static, then symbol, then Dyn).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, TypeAlias


class DynDim:
    """The one value ``DYN``: a dim checked only at run time."""

    _instance: DynDim | None = None

    def __new__(cls) -> DynDim:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "Dyn"


DYN: Final = DynDim()


@dataclass(frozen=True)
class Sym:
    """A symbolic dim: a ``TypeVar`` bound to ``int``.

    ``key`` identifies it (two symbols are the same dim iff their keys are equal); ``name`` is
    what messages show; ``scope`` says where it was bound (a function or class name, or "");
    ``origin`` carries the caller's own object (the mypy type) back out, untouched.
    """

    name: str
    key: str = ""
    scope: str = field(default="", compare=False)
    origin: object = field(default=None, compare=False, repr=False, hash=False)

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.name)

    def __str__(self) -> str:
        return self.name


Dim: TypeAlias = int | Sym | DynDim
Shape: TypeAlias = tuple[Dim, ...]
Axes: TypeAlias = int | tuple[int, ...] | None
Param: TypeAlias = int | DynDim
"""An int parameter of an op (stride, padding ...): a literal, or ``DYN`` when not literal."""


@dataclass(frozen=True)
class Failure:
    """Why a rule failed: a message for the user (without the error code)."""

    message: str


# -- formatting ---------------------------------------------------------------------------


def fmt_dim(dim: Dim) -> str:
    """``5``, ``Dyn`` or the symbol's name."""
    return str(dim)


def fmt_shape(shape: Sequence[Dim]) -> str:
    """``(2, 3)``, ``(B, 784)``, ``(4,)`` and ``()``, like Python tuples."""
    if len(shape) == 1:
        return f"({fmt_dim(shape[0])},)"
    return "(" + ", ".join(fmt_dim(d) for d in shape) + ")"


def _where(dims: Sequence[Dim]) -> str:
    """Where the symbols among ``dims`` were bound: `` (B bound in f)``, or ""."""
    seen: dict[str, str] = {}
    for d in dims:
        if isinstance(d, Sym) and d.scope and d.name not in seen:
            seen[d.name] = d.scope
    if not seen:
        return ""
    return " (" + ", ".join(f"{n} bound in {s}" for n, s in seen.items()) + ")"


# -- dims ---------------------------------------------------------------------------------


def unify_dims(a: Dim, b: Dim) -> Dim | None:
    """The common dim of ``a`` and ``b``, or ``None`` if they statically differ."""
    if isinstance(a, DynDim):
        return b
    if isinstance(b, DynDim):
        return a
    if isinstance(a, int) and isinstance(b, int):
        return a if a == b else None
    if isinstance(a, Sym) and isinstance(b, Sym):
        return a if a.key == b.key else None
    return None  # a symbol and a static size


def dim_mismatch(a: Dim, b: Dim) -> str:
    """``2 != 3``, with a hint when a symbol is involved."""
    text = f"{fmt_dim(a)} != {fmt_dim(b)}"
    if isinstance(a, Sym) or isinstance(b, Sym):
        if isinstance(a, Sym) and isinstance(b, Sym):
            text += " (different symbols)"
        else:
            text += " (a symbol is not a static size; use realize)"
        text += _where((a, b))
    return text


def add_dims(dims: Sequence[Dim]) -> Dim:
    """The sum of ``dims``: static when all are, else ``DYN``."""
    total = 0
    for d in dims:
        if not isinstance(d, int):
            return DYN
        total += d
    return total


def unify(op: str, a: Shape, b: Shape, *, sep: str = "vs") -> Shape | Failure:
    """The common shape of two operands that must have equal shapes (binary ops)."""
    if len(a) != len(b):
        return Failure(
            f"{op}: shapes differ: {fmt_shape(a)} {sep} {fmt_shape(b)}: "
            f"rank {len(a)} != {len(b)} (no implicit broadcasting; use broadcast_to)"
        )
    out: list[Dim] = []
    for i, (da, db) in enumerate(zip(a, b, strict=True)):
        d = unify_dims(da, db)
        if d is None:
            return Failure(
                f"{op}: shapes differ: {fmt_shape(a)} {sep} {fmt_shape(b)}: "
                f"axis {i}: {dim_mismatch(da, db)}"
            )
        out.append(d)
    return tuple(out)


def unify_all(op: str, shapes: Sequence[Shape]) -> Shape | Failure:
    """The common shape of several operands (``choose``, ``stack``)."""
    result = shapes[0]
    for other in shapes[1:]:
        u = unify(op, result, other)
        if isinstance(u, Failure):
            return u
        result = u
    return result


# -- axes ---------------------------------------------------------------------------------


def normalize_axis(op: str, axis: int, shape: Shape, *, rank: int | None = None) -> int | Failure:
    """``axis`` in ``range(rank)`` (negative counts from the end); ``rank`` defaults to the
    shape's rank (``stack`` allows one more)."""
    n = len(shape) if rank is None else rank
    if not -n <= axis < n:
        return Failure(f"{op}: axis {axis} is out of range for shape {fmt_shape(shape)} (rank {n})")
    return axis + n if axis < 0 else axis


def normalize_axes(op: str, axis: Axes, shape: Shape) -> tuple[int, ...] | Failure:
    """Sorted distinct non-negative axes; ``None`` means every axis."""
    if axis is None:
        return tuple(range(len(shape)))
    items = (axis,) if isinstance(axis, int) else axis
    axes: list[int] = []
    for a in items:
        n = normalize_axis(op, a, shape)
        if isinstance(n, Failure):
            return n
        axes.append(n)
    if len(set(axes)) != len(axes):
        return Failure(f"{op}: repeated axis in {axis} for shape {fmt_shape(shape)}")
    return tuple(sorted(axes))


def check_axis(op: str, shape: Shape, axis: Axes) -> Shape | Failure:
    """``shape`` itself when ``axis`` fits it (softmax, log_softmax, normalize, roll)."""
    axes = normalize_axes(op, axis, shape)
    return axes if isinstance(axes, Failure) else shape


def reduce(op: str, shape: Shape, axis: Axes) -> Shape | Failure:
    """``shape`` with the reduced axes removed (no keepdims)."""
    axes = normalize_axes(op, axis, shape)
    if isinstance(axes, Failure):
        return axes
    empty = [a for a in axes if shape[a] == 0]
    if op in ("max", "min") and empty:  # the sum of nothing is 0; its max is undefined
        return Failure(
            f"{op}: cannot reduce over an empty axis: shape {fmt_shape(shape)}, "
            f"axis {empty[0]} has size 0"
        )
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def broadcast_to(src: Shape, dst: Shape, axes: Axes) -> Shape | Failure:
    """``src`` broadcast to ``dst`` by adding the new ``axes`` of ``dst`` (by default the
    leading ones). The other dims of ``dst`` must equal ``src``: size-1 dims do not expand."""
    op = "broadcast_to"
    new = len(dst) - len(src)
    if new < 0:
        return Failure(
            f"{op}: cannot broadcast {fmt_shape(src)} to {fmt_shape(dst)}: "
            f"the target rank {len(dst)} is less than {len(src)}"
        )
    if axes is None:
        new_axes: tuple[int, ...] = tuple(range(new))
    else:
        normalized = normalize_axes(op, axes, dst)
        if isinstance(normalized, Failure):
            return normalized
        new_axes = normalized
        if len(new_axes) != new:
            return Failure(
                f"{op}: cannot broadcast {fmt_shape(src)} to {fmt_shape(dst)} along axes "
                f"{axes}: {len(dst)} - {len(src)} = {new} new axes expected, got {len(new_axes)}"
            )
    kept = [i for i in range(len(dst)) if i not in new_axes]
    out = list(dst)
    for src_axis, i in enumerate(kept):
        d = unify_dims(src[src_axis], dst[i])
        if d is None:
            return Failure(
                f"{op}: cannot broadcast {fmt_shape(src)} to {fmt_shape(dst)} with new axes "
                f"{new_axes}: axis {src_axis} of the input: "
                f"{dim_mismatch(src[src_axis], dst[i])}"
            )
        out[i] = d
    return tuple(out)


# -- shape ops ----------------------------------------------------------------------------


def _factor(dims: Sequence[Dim]) -> tuple[int, Counter[str], dict[str, Sym], bool]:
    """A product of dims as (static part, symbol counts, symbols by key, has a Dyn)."""
    const = 1
    syms: Counter[str] = Counter()
    by_key: dict[str, Sym] = {}
    dyn = False
    for d in dims:
        if isinstance(d, int):
            const *= d
        elif isinstance(d, Sym):
            syms[d.key] += 1
            by_key[d.key] = d
        else:
            dyn = True
    return const, syms, by_key, dyn


def reshape(src: Shape, dst: Shape) -> Shape | Failure:
    """``src`` reshaped to ``dst``; one ``-1`` in ``dst`` is inferred. Checked as far as the
    static and symbolic dims allow; anything involving a Dyn dim is left to run time."""
    op = "reshape"
    where = f"{fmt_shape(src)} to {fmt_shape(dst)}"
    holes = [i for i, d in enumerate(dst) if isinstance(d, int) and d < 0]
    if len(holes) > 1:
        return Failure(f"{op}: {where}: at most one -1 is allowed")
    if holes and dst[holes[0]] != -1:
        return Failure(f"{op}: {where}: dim {dst[holes[0]]} is negative (only -1 is allowed)")
    rest = [d for i, d in enumerate(dst) if i not in holes]
    s_const, s_syms, by_key, s_dyn = _factor(src)
    d_const, d_syms, _, d_dyn = _factor(rest)
    sizes = f"{_size(src)} != {_size(rest)}"
    if not holes:
        if not s_dyn and not d_dyn and s_syms == d_syms and s_const != d_const:
            return Failure(f"{op}: {where}: element counts differ: {sizes}")
        return dst
    # one -1: infer it when the other dims divide the input exactly
    if d_const == 0:
        return Failure(f"{op}: {where}: -1 is ambiguous next to a 0 dim")
    if s_dyn or d_dyn or not s_syms >= d_syms:
        return tuple(DYN if i in holes else d for i, d in enumerate(dst))
    if s_const % d_const != 0:
        if s_syms == d_syms:
            return Failure(f"{op}: {where}: {_size(src)} elements do not divide into {_size(rest)}")
        return tuple(DYN if i in holes else d for i, d in enumerate(dst))
    quotient = s_const // d_const
    left = s_syms - d_syms
    inferred: Dim
    if not left:
        inferred = quotient
    elif quotient == 1 and sum(left.values()) == 1:
        inferred = by_key[next(iter(left))]
    else:
        inferred = DYN
    return tuple(inferred if i in holes else d for i, d in enumerate(dst))


def _size(dims: Sequence[Dim]) -> str:
    """The element count of ``dims``: ``784``, or a product such as ``B*784``."""
    const, syms, by_key, dyn = _factor(dims)
    parts = [by_key[k].name for k, n in syms.items() for _ in range(n)]
    if dyn:
        parts.append("Dyn")
    if const != 1 or not parts:
        parts.append(str(const))
    return "*".join(parts)


def permute(shape: Shape, axes: Sequence[int]) -> Shape | Failure:
    """``out[i] = shape[axes[i]]``; ``axes`` must be a permutation of the axes."""
    op = "permute"
    if len(axes) != len(shape):
        return Failure(
            f"{op}: axes {tuple(axes)} do not fit shape {fmt_shape(shape)}: "
            f"{len(axes)} axes for rank {len(shape)}"
        )
    normalized: list[int] = []
    for a in axes:
        n = normalize_axis(op, a, shape)
        if isinstance(n, Failure):
            return n
        normalized.append(n)
    if len(set(normalized)) != len(normalized):
        return Failure(
            f"{op}: axes {tuple(axes)} are not a permutation of the axes of {fmt_shape(shape)}"
        )
    return tuple(shape[a] for a in normalized)


def transpose(shape: Shape, a: int, b: int) -> Shape | Failure:
    """``shape`` with axes ``a`` and ``b`` swapped."""
    na = normalize_axis("transpose", a, shape)
    if isinstance(na, Failure):
        return na
    nb = normalize_axis("transpose", b, shape)
    if isinstance(nb, Failure):
        return nb
    out = list(shape)
    out[na], out[nb] = out[nb], out[na]
    return tuple(out)


def realize(src: Shape, dst: Shape) -> Shape | Failure:
    """The written shape ``dst``, when ``src`` may have it: same rank, no two static sizes
    (or symbols) that differ. Dyn dims narrow to what is written."""
    if len(src) != len(dst):
        return Failure(
            f"realize: {fmt_shape(src)} can never be {fmt_shape(dst)}: "
            f"rank {len(src)} != {len(dst)}"
        )
    for i, (s, d) in enumerate(zip(src, dst, strict=True)):
        if unify_dims(s, d) is None and not (isinstance(d, Sym) or isinstance(s, Sym)):
            return Failure(
                f"realize: {fmt_shape(src)} can never be {fmt_shape(dst)}: "
                f"axis {i}: {fmt_dim(s)} != {fmt_dim(d)}"
            )
    return dst


def concat(shapes: Sequence[Shape], axis: int) -> Shape | Failure:
    """Shapes joined along ``axis``: sizes along it add up, the other dims must agree."""
    op = "concat"
    if not shapes:
        return Failure(f"{op}: needs at least one tensor")
    first = shapes[0]
    shown = ", ".join(fmt_shape(s) for s in shapes)
    for s in shapes[1:]:
        if len(s) != len(first):
            return Failure(f"{op}: ranks differ: {shown}: rank {len(first)} != {len(s)}")
    ax = normalize_axis(op, axis, first)
    if isinstance(ax, Failure):
        return ax
    out = list(first)
    for k, s in enumerate(shapes[1:], start=1):
        for i, d in enumerate(s):
            if i == ax:
                continue
            u = unify_dims(out[i], d)
            if u is None:
                return Failure(
                    f"{op}: shapes differ off the concat axis {ax}: {shown}: "
                    f"axis {i} of tensor {k}: {dim_mismatch(out[i], d)}"
                )
            out[i] = u
    out[ax] = add_dims([s[ax] for s in shapes])
    return tuple(out)


def stack(shapes: Sequence[Shape], axis: int) -> Shape | Failure:
    """Equal shapes stacked along a new ``axis`` of size ``len(shapes)``."""
    op = "stack"
    if not shapes:
        return Failure(f"{op}: needs at least one tensor")
    common = unify_all(op, shapes)
    if isinstance(common, Failure):
        return common
    ax = normalize_axis(op, axis, common, rank=len(common) + 1)
    if isinstance(ax, Failure):
        return ax
    return (*common[:ax], len(shapes), *common[ax:])


# -- indexing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Index:
    """``x[i]``: an int index (``DYN`` when not a literal); removes the axis."""

    value: int | DynDim


@dataclass(frozen=True)
class Slice:
    """``x[start:stop:step]``: each bound a literal, ``None`` (absent) or ``DYN``."""

    start: int | DynDim | None = None
    stop: int | DynDim | None = None
    step: int | DynDim | None = None


class EllipsisIndex:
    """``x[..., i]``: as many full slices as the other items leave."""

    def __repr__(self) -> str:
        return "..."


class NewAxisIndex:
    """``x[None]``: numpy's new axis, which dfdx_py does not support."""

    def __repr__(self) -> str:
        return "None"


ELLIPSIS: Final = EllipsisIndex()
NEWAXIS: Final = NewAxisIndex()
IndexItem: TypeAlias = Index | Slice | EllipsisIndex | NewAxisIndex


def slice_length(size: Dim, item: Slice) -> Dim | Failure:
    """The length of ``range(size)[start:stop:step]``; ``DYN`` when it is not static."""
    if isinstance(item.step, int) and item.step <= 0:
        return Failure(f"step {item.step}")
    full = item.start is None and item.stop is None and item.step in (None, 1)
    if full:
        return size
    bounds = (item.start, item.stop, item.step)
    if isinstance(size, int) and not any(isinstance(b, DynDim) for b in bounds):
        start, stop, step = (b if isinstance(b, int) else None for b in bounds)
        return len(range(size)[slice(start, stop, step)])
    # an unknown size: a non-negative start:stop with step 1 has a known length only if it
    # fits, which is checked at run time; a literal length ``stop - start`` is still a safe
    # upper bound, not the size, so report Dyn.
    return DYN


def index(shape: Shape, items: Sequence[IndexItem]) -> Shape | Failure:
    """Basic indexing ``x[items]``: ints remove their axis, slices keep it with a new length,
    one ``...`` stands for the axes no other item names."""
    op = "slice"
    if any(isinstance(it, NewAxisIndex) for it in items):
        return Failure(
            f"{op}: None (newaxis) is not supported in an index of {fmt_shape(shape)}; "
            "add axes with reshape or broadcast_to"
        )
    ellipses = [i for i, it in enumerate(items) if isinstance(it, EllipsisIndex)]
    if len(ellipses) > 1:
        return Failure(f"{op}: at most one ... in an index, got {len(ellipses)}")
    named = len(items) - len(ellipses)
    if named > len(shape):
        return Failure(
            f"{op}: too many indices for shape {fmt_shape(shape)}: {named} > {len(shape)}"
        )
    expanded: list[Index | Slice] = []
    for it in items:
        if isinstance(it, EllipsisIndex):
            expanded.extend(Slice() for _ in range(len(shape) - named))
        elif isinstance(it, Index | Slice):
            expanded.append(it)
    expanded.extend(Slice() for _ in range(len(shape) - len(expanded)))
    out: list[Dim] = []
    for axis, (size, it) in enumerate(zip(shape, expanded, strict=True)):
        if isinstance(it, Index):
            v = it.value
            if isinstance(v, int) and isinstance(size, int) and not -size <= v < size:
                return Failure(
                    f"{op}: index {v} is out of range for axis {axis} of size {size} "
                    f"(shape {fmt_shape(shape)})"
                )
            continue
        length = slice_length(size, it)
        if isinstance(length, Failure):
            return Failure(
                f"{op}: a slice step must be positive, got {length.message} "
                f"(axis {axis} of {fmt_shape(shape)})"
            )
        out.append(length)
    return tuple(out)


def select(shape: Shape, idx: Shape | None, axis: int | None) -> Shape | Failure:
    """dfdx's ``select``: ``idx`` (an index tensor's shape, or ``None`` for an int index) is
    the batch prefix ``shape[:axis]``; the axis is removed. ``axis`` defaults to the index's
    rank (0 for an int)."""
    op = "select"
    rank = 0 if idx is None else len(idx)
    if axis is None:
        if rank >= len(shape):
            return Failure(
                f"{op}: index shape {fmt_shape(idx or ())} does not fit {fmt_shape(shape)}: "
                f"the index rank {rank} must be less than the rank {len(shape)}"
            )
        ax = rank
    else:
        n = normalize_axis(op, axis, shape)
        if isinstance(n, Failure):
            return n
        ax = n
    if idx is not None:
        prefix = unify(op, shape[:ax], idx, sep="vs index")
        if isinstance(prefix, Failure):
            return Failure(
                f"{op}: index shape {fmt_shape(idx)} does not fit {fmt_shape(shape)} at axis "
                f"{ax}: the index shape must be x.shape[:{ax}] = {fmt_shape(shape[:ax])}"
            )
    return shape[:ax] + shape[ax + 1 :]


def gather(shape: Shape, idx: Shape, axis: int | None) -> Shape | Failure:
    """dfdx's ``gather``: ``idx`` is ``shape[:axis] + (N,)``; the axis becomes ``N``. ``axis``
    defaults to the index's rank - 1. With ``axis=0`` written, any index rank works (an
    embedding lookup): ``idx + shape[1:]``."""
    op = "gather"
    if not idx:
        return Failure(
            f"{op}: index shape () does not fit {fmt_shape(shape)}: gather needs an index of "
            "rank >= 1 (its last dim is the new dim); use select for one element"
        )
    if axis is None:
        ax = len(idx) - 1
        if ax >= len(shape):
            return Failure(
                f"{op}: index shape {fmt_shape(idx)} does not fit {fmt_shape(shape)}: the index "
                f"rank {len(idx)} must be at most the rank {len(shape)}"
            )
    else:
        n = normalize_axis(op, axis, shape)
        if isinstance(n, Failure):
            return n
        ax = n
        if ax == 0:
            return idx + shape[1:]
    if len(idx) != ax + 1 or isinstance(unify(op, shape[:ax], idx[:-1]), Failure):
        hint = " (for an embedding lookup pass axis=0)" if axis is None else ""
        want = fmt_shape((*shape[:ax], Sym("N")))
        return Failure(
            f"{op}: index shape {fmt_shape(idx)} does not fit {fmt_shape(shape)} at axis {ax}: "
            f"the index shape must be x.shape[:{ax}] + (N,) = {want}{hint}"
        )
    return (*shape[:ax], idx[-1], *shape[ax + 1 :])


# -- matmul -------------------------------------------------------------------------------

MATMUL_FORMS: Final = (
    "(K,) @ (K, N)",
    "(M, K) @ (K,)",
    "(M, K) @ (K, N)",
    "(B, M, K) @ (K, N)",
    "(B, M, K) @ (B, K, N)",
    "(B, S, M, K) @ (B, S, K, N)",
)


def matmul(a: Shape, b: Shape) -> Shape | Failure:
    """dfdx's six matmul forms (``MATMUL_FORMS``); the inner dims and batch dims must agree."""
    op = "matmul"
    both = f"{fmt_shape(a)} @ {fmt_shape(b)}"
    ra, rb = len(a), len(b)
    if (ra, rb) not in ((1, 2), (2, 1), (2, 2), (3, 2), (3, 3), (4, 4)):
        return Failure(
            f"{op}: no matmul form for ranks {ra} @ {rb}: {both} (forms: {'; '.join(MATMUL_FORMS)})"
        )
    k_a = a[-1]
    k_b = b[0] if rb == 1 else b[-2]
    k = unify_dims(k_a, k_b)
    if k is None:
        return Failure(f"{op}: inner dims differ: {both}: {dim_mismatch(k_a, k_b)}")
    batch: list[Dim] = []
    if rb >= 3:
        for i in range(rb - 2):
            d = unify_dims(a[i], b[i])
            if d is None:
                return Failure(
                    f"{op}: batch dims differ: {both}: axis {i}: {dim_mismatch(a[i], b[i])}"
                )
            batch.append(d)
    elif ra == 3:
        batch.append(a[0])
    m: tuple[Dim, ...] = () if ra == 1 else (a[-2],)
    n: tuple[Dim, ...] = () if rb == 1 else (b[-1],)
    return (*batch, *m, *n)


def linear(x: Shape, weight: Shape, bias: Shape | None) -> Shape | Failure:
    """``linear(x, weight, bias)``: ``(..., I)`` with a weight ``(O, I)`` (and a bias ``(O,)``)
    gives ``(..., O)``."""
    op = "linear"
    if len(weight) != 2:
        return Failure(f"{op}: weight must be (out, in), got {fmt_shape(weight)}")
    out_features, in_features = weight
    if not x:
        return Failure(f"{op}: x must have an axis of {in_features} features, got ()")
    if unify_dims(x[-1], in_features) is None:
        return Failure(
            f"{op}: inner dims differ: {fmt_shape(x)} @ {fmt_shape(weight)}ᵀ: "
            f"{dim_mismatch(x[-1], in_features)}"
        )
    if bias is not None and (len(bias) != 1 or unify_dims(bias[0], out_features) is None):
        return Failure(
            f"{op}: bias must be ({out_features},) for weight {fmt_shape(weight)}, "
            f"got {fmt_shape(bias)}"
        )
    return (*x[:-1], out_features)


# -- convolutions and pooling -------------------------------------------------------------


def conv_out_size(size: Dim, kernel: Dim, stride: Param, padding: Param, dilation: Param) -> Dim:
    """torch's ``floor((size + 2p - d(k-1) - 1) / s) + 1``; a symbol survives a conv that
    keeps sizes (stride 1, ``2p == d(k-1)``); ``DYN`` when not static."""
    if isinstance(stride, int) and isinstance(padding, int) and isinstance(dilation, int):
        if isinstance(kernel, int) and isinstance(size, int):
            return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
        if isinstance(kernel, int) and stride == 1 and 2 * padding == dilation * (kernel - 1):
            return size
    return DYN


def conv_transpose_out_size(
    size: Dim,
    kernel: Dim,
    stride: Param,
    padding: Param,
    dilation: Param,
    output_padding: Param = 0,
) -> Dim:
    """torch's ``(size - 1)s - 2p + d(k-1) + output_padding + 1``; ``DYN`` when not static."""
    params = [size, kernel, stride, padding, dilation, output_padding]
    ints = [p for p in params if isinstance(p, int)]
    if len(ints) != len(params):
        return DYN
    s, k, st, p, d, op = ints
    return (s - 1) * st - 2 * p + d * (k - 1) + op + 1


def pool_out_size(size: Dim, kernel: Param, stride: Param, padding: Param) -> Dim:
    """``floor((size + 2p - k) / s) + 1``: a conv with dilation 1."""
    return conv_out_size(size, kernel, stride, padding, 1)


@dataclass(frozen=True)
class ConvParams:
    """The int parameters of a conv, one value per spatial axis (``DYN`` when not literal)."""

    stride: tuple[Param, ...]
    padding: tuple[Param, ...]
    dilation: tuple[Param, ...]
    groups: Param = 1
    output_padding: tuple[Param, ...] = ()


def _bad_params(op: str, params: ConvParams) -> Failure | None:
    """A literal stride or dilation below 1, padding below 0, or output padding too large."""
    checks = (("stride", params.stride, 1), ("padding", params.padding, 0))
    for name, values, minimum in (*checks, ("dilation", params.dilation, 1)):
        for v in values:
            if isinstance(v, int) and v < minimum:
                return Failure(f"{op}: {name} must be >= {minimum}, got {v}")
    for i, v in enumerate(params.output_padding):
        s, d = params.stride[i], params.dilation[i]
        if (
            isinstance(v, int)
            and isinstance(s, int)
            and isinstance(d, int)
            and not 0 <= v < max(s, d)
        ):
            return Failure(
                f"{op}: output_padding {v} must be >= 0 and smaller than the stride {s} "
                f"or the dilation {d}"
            )
    return None


def _spatial_failure(
    op: str, x: Shape, w: Shape, sizes: Sequence[Dim], spatial: Sequence[Dim]
) -> Failure | None:
    for axis, (n, s) in enumerate(zip(sizes, spatial, strict=True)):
        if isinstance(n, int) and n < 1:
            return Failure(
                f"{op}: output size {n} < 1 on spatial axis {axis}: input {fmt_shape(x)}, "
                f"weight {fmt_shape(w)}: input size {fmt_dim(s)} is too small for the kernel"
            )
    return None


def conv(op: str, x: Shape, w: Shape, params: ConvParams, spatial: int) -> Shape | Failure:
    """``conv1d`` (``spatial=1``) or ``conv2d`` (2): ``x`` is ``(B, C, *S)`` or ``(C, *S)``,
    ``w`` is ``(Out, C/groups, *K)``; the output is ``(B, Out, *S')`` (or ``(Out, *S')``)."""
    both = f"input {fmt_shape(x)}, weight {fmt_shape(w)}"
    bad_params = _bad_params(op, params)
    if bad_params is not None:
        return bad_params
    if len(x) not in (spatial + 1, spatial + 2):
        return Failure(f"{op}: input must have rank {spatial + 1} or {spatial + 2}: {both}")
    if len(w) != spatial + 2:
        return Failure(f"{op}: weight must have rank {spatial + 2} (Out, C/groups, K...): {both}")
    channels = x[-spatial - 1]
    out_ch, in_per_group = w[0], w[1]
    groups = params.groups
    if isinstance(groups, int):
        if groups < 1:
            return Failure(f"{op}: groups must be >= 1, got {groups}")
        want = in_per_group * groups if isinstance(in_per_group, int) else in_per_group
        checkable = groups == 1 or isinstance(want, int)
        if checkable and unify_dims(channels, want) is None:
            return Failure(
                f"{op}: channels differ: {both}: the input has {fmt_dim(channels)} channels, "
                f"the weight expects {fmt_dim(in_per_group)} x groups {groups} = {fmt_dim(want)}"
            )
        if isinstance(out_ch, int) and out_ch % groups != 0:
            return Failure(f"{op}: {both}: out channels {out_ch} not divisible by groups {groups}")
    sizes = [
        conv_out_size(
            x[len(x) - spatial + i],
            w[2 + i],
            params.stride[i],
            params.padding[i],
            params.dilation[i],
        )
        for i in range(spatial)
    ]
    bad = _spatial_failure(op, x, w, sizes, x[len(x) - spatial :])
    if bad is not None:
        return bad
    return (*x[: len(x) - spatial - 1], out_ch, *sizes)


def conv_transpose2d(x: Shape, w: Shape, params: ConvParams) -> Shape | Failure:
    """``x`` is ``(B, C, H, W)`` or ``(C, H, W)``, ``w`` is ``(C, Out/groups, KH, KW)`` (as in
    PyTorch); the output is ``(B, Out, H', W')``."""
    op = "conv_transpose2d"
    both = f"input {fmt_shape(x)}, weight {fmt_shape(w)}"
    bad_params = _bad_params(op, params)
    if bad_params is not None:
        return bad_params
    if len(x) not in (3, 4):
        return Failure(f"{op}: input must have rank 3 or 4: {both}")
    if len(w) != 4:
        return Failure(f"{op}: weight must have rank 4 (C, Out/groups, KH, KW): {both}")
    groups = params.groups
    if unify_dims(x[-3], w[0]) is None:
        return Failure(
            f"{op}: channels differ: {both}: the input has {fmt_dim(x[-3])} channels, "
            f"the weight expects {fmt_dim(w[0])}"
        )
    out_ch: Dim = DYN
    if isinstance(groups, int):
        if groups < 1:
            return Failure(f"{op}: groups must be >= 1, got {groups}")
        if isinstance(w[1], int):
            out_ch = w[1] * groups
        elif groups == 1:
            out_ch = w[1]
        if isinstance(w[0], int) and w[0] % groups != 0:
            return Failure(f"{op}: {both}: in channels {w[0]} not divisible by groups {groups}")
    out_pad = params.output_padding or (0, 0)
    sizes = [
        conv_transpose_out_size(
            x[-2 + i],
            w[2 + i],
            params.stride[i],
            params.padding[i],
            params.dilation[i],
            out_pad[i],
        )
        for i in range(2)
    ]
    bad = _spatial_failure(op, x, w, sizes, x[-2:])
    if bad is not None:
        return bad
    return (*x[:-3], out_ch, *sizes)


def pool2d(
    x: Shape,
    kernel: tuple[Param, Param],
    stride: tuple[Param, Param],
    padding: tuple[Param, Param],
) -> Shape | Failure:
    """``(B, C, H, W)`` or ``(C, H, W)`` pooled: ``floor((H + 2p - k) / s) + 1``; the padding
    must be smaller than the kernel."""
    op = "pool2d"
    if len(x) not in (3, 4):
        return Failure(f"{op}: input must have rank 3 or 4, got {fmt_shape(x)}")
    for name, values, minimum in (("kernel", kernel, 1), ("stride", stride, 1)):
        for v in values:
            if isinstance(v, int) and v < minimum:
                return Failure(f"{op}: {name} must be >= {minimum}, got {v}")
    for k, p in zip(kernel, padding, strict=True):
        if isinstance(p, int) and p < 0:
            return Failure(f"{op}: padding must be >= 0, got {p}")
        if isinstance(k, int) and isinstance(p, int) and p >= k:
            return Failure(
                f"{op}: padding {p} must be smaller than the kernel {k} (input {fmt_shape(x)})"
            )
    sizes = [pool_out_size(x[-2 + i], kernel[i], stride[i], padding[i]) for i in range(2)]
    for axis, n in enumerate(sizes):
        if isinstance(n, int) and n < 1:
            return Failure(
                f"{op}: output size {n} < 1 on spatial axis {axis}: input {fmt_shape(x)} is "
                f"too small for kernel {fmt_dim(kernel[axis])}"
            )
    return (*x[:-2], *sizes)


def upscale2d(x: Shape, size: tuple[Dim, Dim]) -> Shape | Failure:
    """``(..., H, W)`` resized to ``(..., H2, W2)`` (rank 3 or 4); dfdx only upscales, so
    ``H2 >= H`` and ``W2 >= W``."""
    op = "upscale2d"
    if len(x) not in (3, 4):
        return Failure(f"{op}: input must have rank 3 or 4, got {fmt_shape(x)}")
    for axis, (old, new) in enumerate(zip(x[-2:], size, strict=True)):
        if isinstance(old, int) and isinstance(new, int) and new < old:
            return Failure(
                f"{op}: {fmt_shape(x)} to {fmt_shape(size)}: spatial axis {axis}: "
                f"{new} < {old} (upscale2d only enlarges)"
            )
        if old == 0 and isinstance(new, int) and new > 0:
            return Failure(
                f"{op}: cannot grow an empty axis: {fmt_shape(x)} to {fmt_shape(size)}: "
                f"spatial axis {axis} has size 0"
            )
    return (*x[:-2], *size)
