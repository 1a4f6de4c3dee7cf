"""Random dfdx_py programs for the differential test (``test_static_equals_runtime.py``).

A program is a small module: a device, one or two tensors created with literal shapes, then
a chain of 1-6 ops. Every intermediate is written to a variable and revealed on its own
line::

    t0 = dev.sample_normal((2, n, 4))
    reveal_type(t0)
    t1 = t0.sum(axis=(0, -1))
    reveal_type(t1)

Well-typed programs come in three flavours: fully static; with ``Dyn`` dims (an ``int``
variable, or ``int(3)``, in a shape); and *symbolic*, where the chain runs inside a function
whose tensor parameters have ``TypeVar`` dims (``x: Tensor[Rank2[B, 3], f32, Cpu]``, with
``b: B`` to spell ``B`` in new shapes), returns its last tensor and is called once with
concrete tensors. Shapes are also written with ``Final`` ints and tuples and with
arithmetic the plugin folds (``4 // 2``); ops are called as methods, operators and
functions, arguments positional or by keyword in any order. Most chains are float (``f32``,
``f64``, and half or mixed precision: ``f16``, ``bf16``, ``AMP[bf16]``, each a dtype of its
own); some are ``i64`` or ``bool_`` (with the ops those take); some hold empty tensors (a 0
dim). A chain may end in a loss (``losses.mse_loss(x, y)`` ...), a ``Rank0`` tensor.

The generator tracks, for every tensor, its *model* shape (what the ops must compute, worked
out here with plain Python) and, per dim, its expected *static form*, a tag:

- ``"L"``: a literal size (the plugin must know it);
- a symbol name (``"B"``): that ``TypeVar`` (the plugin must keep it);
- ``"D"``: written as a ``Dyn`` dim; ``"?"``: not tracked (the plugin may say anything that
  the run agrees with).

It emits only ops whose preconditions hold, spelling every shape it writes so that the
static rules accept it: in a symbolic program an untracked dim is written as a ``Dyn`` one
(``Dyn`` unifies with anything), never as a literal that might meet a symbol. A
*well-typed* program must type-check cleanly and run. An *ill-typed* program (fully static)
ends with one step that breaks a precondition (``VIOLATIONS``: shapes, and a few dtypes, such
as two float dtypes mixed: ``AMP[bf16]`` with ``f32``, ``f16`` with ``bf16`` ...); it
must give a ``tensor-shape`` (``tensor-dtype``) error on that line and raise ``ShapeError``
(``DTypeError``; ``IndexError`` for an int index out of range, as numpy and torch do) there
at run time.

Every choice is drawn through a ``Chooser`` (hypothesis in the test), so a corpus is
reproducible from a seed. ``OPS`` and ``VIOLATIONS`` list what is covered.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hypothesis import strategies as st

T = TypeVar("T")

MAX_NUMEL = 1024
"""No tensor of a chain holds more elements (the programs must run fast)."""
MAX_RANK = 6
MAX_DIM = 5
"""Starting dims and new dims are in ``1..MAX_DIM`` (or 0, in a program with empty
tensors)."""

LIT, DYN, UNKNOWN = "L", "D", "?"
"""Static-form tags of a dim (besides symbol names)."""
EXACT, MUST_DYN = "=", "!"
"""Wanted forms (not tags) of a dim to write: a static int / a Dyn one, nothing else."""
SYMBOLS = ("B", "C", "P")
"""The ``TypeVar`` names of symbolic programs (``b: B`` spells one in a shape)."""
HALVES = frozenset(("f16", "bf16", "AMP[bf16]"))
"""Half and mixed precision: dtypes of their own (``AMP[bf16]`` is neither ``bf16`` nor
``f32``), spelled in the programs as written here."""
FLOATS = frozenset(("f32", "f64")) | HALVES
NUMBERS = FLOATS | {"i64"}
DTYPES = NUMBERS | {"bool_"}


class Chooser:
    """Every random choice of the generator. Hypothesis controls them: they are draws of a
    ``st.randoms(use_true_random=False)`` (whose choices are uniform enough to cover every
    op; plain ``st.integers`` draws favour their lower bound, hence the first op listed)."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self._random: random.Random = draw(st.randoms(use_true_random=False))

    def int(self, lo: int, hi: int) -> int:
        return self._random.randint(lo, hi)

    def pick(self, options: Sequence[T]) -> T:
        return self._random.choice(options)

    def coin(self, percent: int = 50) -> bool:
        return self.int(0, 99) < percent

    def perm(self, n: int) -> list[int]:
        return self._random.sample(range(n), n)


Tags = tuple[str, ...]
Wanted = Sequence[str | None]
"""What a written shape must be compatible with, dim by dim (``None``: anything)."""


@dataclass
class Var:
    """A tensor variable of a program: its name, model shape, dtype and static tags."""

    name: str
    shape: tuple[int, ...]
    dtype: str  # "f32", "f64", "f16", "bf16", "AMP[bf16]", "i64", "bool_"
    tags: Tags
    bound: int = 0  # index tensors: every value is below this (0: not an index tensor)


@dataclass
class Reveal:
    """``reveal_type(var)``: the model says ``shape``, ``dtype`` and static ``tags``."""

    var: str
    shape: tuple[int, ...]
    dtype: str
    tags: Tags


@dataclass
class Program:
    """One generated module."""

    name: str
    kind: str  # "well" or "ill"
    source: str = ""
    reveals: dict[int, Reveal] = field(default_factory=dict)  # by line
    ops: list[str] = field(default_factory=list)
    uses_dyn: bool = False  # some dim is written as a Dyn one
    symbols: dict[str, int] = field(default_factory=dict)  # symbol -> its size in the call
    error_line: int = 0  # ill-typed: the line of the bad step
    error_op: str = ""  # ill-typed: the op name the messages start with
    error_exc: str = "ShapeError"  # ill-typed: what the run raises there
    error_code: str = "tensor-shape"  # ill-typed: the code of mypy's error
    violation: str = ""  # ill-typed: which precondition is broken

    def listing(self) -> str:
        """The source with line numbers, for failure messages."""
        return "\n".join(
            f"{i:3d}  {line}" for i, line in enumerate(self.source.splitlines(), start=1)
        )


class StepNotApplicable(Exception):
    """An op's draws led nowhere (an output too large): choose another op."""


def numel(shape: Sequence[int]) -> int:
    return math.prod(shape)


def fmt(shape: Sequence[object]) -> str:
    """A tuple as Python writes it: ``(2, 3)``, ``(4,)``, ``()``."""
    return "(" + ", ".join(map(str, shape)) + (",)" if len(shape) == 1 else ")")


def unify_tag(a: str, b: str) -> str:
    """The static form of two dims the plugin unifies (``Dyn`` yields to the other)."""
    if a == DYN:
        return b
    if b == DYN or a == b:
        return a
    return UNKNOWN


def all_lit(tags: Sequence[str]) -> bool:
    return all(t == LIT for t in tags)


class Builder:
    """Writes one program line by line, tracking the model of every variable."""

    def __init__(self, ch: Chooser, program: Program, *, allow_dyn: bool) -> None:
        self.ch = ch
        self.p = program
        self.lines: list[str] = [
            f'"""Generated by tests/typecheck/program_gen.py ({program.kind}-typed)."""',
            "",
            "from typing import Final, Literal, TypeVar, reveal_type",
            "",
            "import dfdx_py as dfdx",
            "import dfdx_py.ops as ops",
            "from dfdx_py import Cpu, Rank0, Rank1, Rank2, Rank3, Rank4, Rank5, Rank6, Tensor",
            "from dfdx_py import AMP, Dyn, bf16, bool_, f16, f32, f64, i64, losses",
            "",
            "dev = Cpu(seed=0)",
        ]
        self.indent = ""
        self.pool: list[Var] = []
        self.counter = itertools.count()
        self.dyn: dict[str, int] = {}
        self.finals: dict[str, int] = {}
        self.params: dict[str, str] = {}  # symbol -> the parameter spelling it (B -> b)
        self.call = ""  # symbolic programs: the call of ``chain`` ending the module
        self.zero = False  # whether dims may be 0 (empty tensors)
        if allow_dyn:
            for name in ("n", "m")[: ch.int(1, 2)]:
                self.dyn[name] = ch.int(1, MAX_DIM)
                self.lines.append(f"{name}: int = {self.dyn[name]}")
        if ch.coin(30):
            self.finals["K"] = ch.int(2, MAX_DIM)
            self.lines.append(f"K: Final = {self.finals['K']}")

    @property
    def symbolic(self) -> bool:
        return bool(self.p.symbols)

    def new_size(self, lo: int, hi: int) -> int:
        """The size of a new dim: in ``lo..hi``, or sometimes 0 in a program with empty
        tensors."""
        return 0 if self.zero and self.ch.coin(15) else self.ch.int(lo, hi)

    # -- spelling ------------------------------------------------------------------------

    def dyn_dim(self, value: int) -> str:
        """``value`` written as a ``Dyn`` dim: an int variable, or ``int(value)``."""
        self.p.uses_dyn = True
        names = [k for k, v in self.dyn.items() if v == value]
        return self.ch.pick(names) if names and self.ch.coin(70) else f"int({value})"

    def literal(self, value: int, *, arithmetic: bool) -> str:
        """``value`` as a static int: a literal, a ``Final`` name or (``arithmetic``) an
        expression of literals the plugin folds (``+ - * //``)."""
        finals = [k for k, v in self.finals.items() if v == value]
        if finals and self.ch.coin(35):
            return finals[0]
        if arithmetic and self.ch.coin(6):
            forms = [f"{value + 1} - 1", f"{value - 2} + 2", f"{2 * value} // 2"]
            return self.ch.pick(forms + ([f"2 * {value // 2}"] if value % 2 == 0 else []))
        return str(value)

    def index_int(self, value: int) -> str:
        """An int index or slice bound: a literal, or (when >= 0) sometimes a Dyn int."""
        if value >= 0 and any(v == value for v in self.dyn.values()) and self.ch.coin(40):
            return self.dyn_dim(value)
        return self.literal(value, arithmetic=True)

    def dim(self, value: int, tag: str | None = None) -> tuple[str, str]:
        """A dim of ``value`` written in a shape: (the text, its static tag).

        ``tag`` is the static form the dim must be compatible with (the dim it meets in a
        binary op, a concat, a matmul ...); ``None`` for a new dim, free to be anything;
        ``EXACT`` for a literal and nothing else."""
        if tag == EXACT:
            return self.literal(value, arithmetic=True), LIT
        if tag == MUST_DYN:
            return self.dyn_dim(value), DYN
        syms = [s for s, v in self.p.symbols.items() if v == value]
        if tag in (None, LIT) or (tag in (DYN, UNKNOWN) and not self.symbolic):
            if tag is None and syms and self.ch.coin(30):
                s = self.ch.pick(syms)
                return self.params[s], s
            if (self.dyn or self.symbolic) and self.ch.coin(20):
                return self.dyn_dim(value), DYN
            return self.literal(value, arithmetic=True), LIT
        if tag in (DYN, UNKNOWN) or self.ch.coin(15):
            return self.dyn_dim(value), DYN
        return self.params[tag], tag  # a symbol

    def shape(self, values: Sequence[int], tags: Wanted | None = None) -> tuple[str, Tags]:
        """A shape written as a value: (the text, the static tags)."""
        wanted = [None] * len(values) if tags is None else tags
        dims = [self.dim(v, t) for v, t in zip(values, wanted, strict=True)]
        text, written = fmt([d for d, _ in dims]), tuple(t for _, t in dims)
        if values and all(d.isdigit() for d, _ in dims) and self.ch.coin(5):
            name = self.fresh("S")  # a Final tuple is a static shape too
            self.line(f"{name}: Final = {text}")
            return name, written
        return text, written

    # -- emitting ------------------------------------------------------------------------

    def fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"

    def line(self, text: str) -> int:
        self.lines.append(self.indent + text)
        return len(self.lines)

    def reveal(self, var: Var) -> None:
        line = self.line(f"reveal_type({var.name})")
        self.p.reveals[line] = Reveal(var.name, var.shape, var.dtype, var.tags)

    def emit(
        self,
        expr: str,
        shape: tuple[int, ...],
        dtype: str,
        tags: Tags,
        op: str,
        prefix: str = "t",
    ) -> Var:
        """``<var> = expr`` and ``reveal_type(<var>)``; the variable joins the pool."""
        assert len(tags) == len(shape), (op, shape, tags)
        if op != "create" and (numel(shape) > MAX_NUMEL or len(shape) > MAX_RANK):
            raise StepNotApplicable(op)
        var = Var(self.fresh(prefix), shape, dtype, tags)
        self.line(f"{var.name} = {expr}")
        self.reveal(var)
        self.p.ops.append(op)
        self.pool.append(var)
        return var

    def create(self, shape: tuple[int, ...], dtype: str = "f32", tags: Wanted | None = None) -> Var:
        """A new tensor of ``shape`` (compatible with ``tags``) from a creation method."""
        spelled, written = self.shape(shape, tags)
        kw = "" if dtype == "f32" and self.ch.coin(70) else f", dtype={dtype}"
        how = self.ch.pick(["zeros", "ones", "full", "sample_normal", "sample_uniform", "tensor"])
        static_ok = self.fits((LIT,) * len(shape), tags)  # a nested list has static dims
        leaves = {"f32": "{}.5", "i64": "{}", "bool_": "{}"}  # the dtypes a literal has
        if how == "tensor" and not (0 < numel(shape) <= 12 and static_ok and dtype in leaves):
            how = "zeros"
        if how in ("full", "sample_normal", "sample_uniform") and dtype not in FLOATS:
            how = "ones"
        if how == "full":
            expr = f"dev.full({spelled}, 0.5{kw})"
        elif how == "sample_uniform":
            expr = f"dev.sample_uniform({spelled}, low=-1.0, high=1.0{kw})"
        elif how == "tensor":  # the nested list gives static dims, its items the dtype
            values = [str(k % 2 == 0) if dtype == "bool_" else str(k % 7 - 3) for k in range(9)]
            leaf = leaves[dtype]
            expr = f"dev.tensor({self._nested(shape, lambda k: leaf.format(values[k % 9]))})"
            written = (LIT,) * len(shape)
        else:
            expr = f"dev.{how}({spelled}{kw})"
        return self.emit(expr, shape, dtype, written, "create", prefix="a")

    def _nested(self, shape: Sequence[int], leaf: Callable[[int], str]) -> str:
        count = itertools.count()

        def build(dims: Sequence[int]) -> str:
            if not dims:
                return leaf(next(count))
            return "[" + ", ".join(build(dims[1:]) for _ in range(dims[0])) + "]"

        return build(shape)

    def fits(self, have: Tags, want: Wanted | None) -> bool:
        """Whether a tensor of static form ``have`` may stand where ``want`` is wanted."""
        if want is None:
            return True
        return all(
            w is None
            or (w == EXACT and h == LIT)
            or (w == MUST_DYN and h == DYN)
            or (w not in (EXACT, MUST_DYN) and (not self.symbolic or h == DYN or w == DYN))
            or (h == w and h != UNKNOWN)
            for h, w in zip(have, want, strict=True)
        )

    def aux(self, shape: tuple[int, ...], dtype: str, tags: Wanted | None = None) -> Var:
        """A tensor of ``shape`` that may meet dims of static form ``tags``: one of the
        pool, or a new one."""
        fits = [
            v
            for v in self.pool
            if v.shape == shape and v.dtype == dtype and self.fits(v.tags, tags)
        ]
        if fits and self.ch.coin(50):
            return self.ch.pick(fits)
        return self.create(shape, dtype, tags)

    def index_tensor(self, shape: tuple[int, ...], size: int, tags: Wanted | None = None) -> Var:
        """An i64 tensor of ``shape`` (compatible with ``tags``) whose values index an axis
        of ``size``."""
        fits = [
            v
            for v in self.pool
            if v.shape == shape
            and v.dtype == "i64"
            and 0 < v.bound <= size
            and self.fits(v.tags, tags)
        ]
        if fits and self.ch.coin(40):
            return self.ch.pick(fits)
        how = self.ch.pick(["zeros", "tensor", "arange"])
        if how == "arange" and len(shape) == 1 and shape[0] <= size:
            text, tag = self.dim(shape[0], None if tags is None else tags[0])
            var = self.emit(f"dev.arange({text})", shape, "i64", (tag,), "create", prefix="i")
            var.bound = shape[0]
            return var
        if (
            how == "tensor"
            and len(shape) > 0
            and 0 < numel(shape) <= 12
            and self.fits((LIT,) * len(shape), tags)
        ):
            values = [self.ch.int(0, size - 1) for _ in range(numel(shape))]
            expr = f"dev.tensor({self._nested(shape, lambda k: str(values[k]))})"
            var = self.emit(expr, shape, "i64", (LIT,) * len(shape), "create", prefix="i")
            var.bound = max(values) + 1
            return var
        spelled, written = self.shape(shape, tags)
        var = self.emit(f"dev.zeros({spelled}, dtype=i64)", shape, "i64", written, "create", "i")
        var.bound = 1
        return var

    def axis(self, rank: int, *, extra: int = 0) -> tuple[int, str]:
        """A valid axis of ``rank + extra`` axes: (normalised, as written, maybe negative)."""
        n = rank + extra
        a = self.ch.int(0, n - 1)
        finals = [k for k, v in self.finals.items() if v == a]
        if finals and self.ch.coin(30):
            return a, finals[0]
        return a, str(a - n if self.ch.coin(35) else a)

    def source(self) -> str:
        return "\n".join(self.lines) + "\n"


def call(b: Builder, fn: str, params: Sequence[tuple[str, str | None]]) -> str:
    """``fn(...)``: the params (name, value; None for an omitted one) positional up to a
    random point before the first omitted one, the others as keywords in a random order."""
    missing = next((i for i, (_, v) in enumerate(params) if v is None), len(params))
    split = b.ch.int(0, missing)
    keywords = [f"{n}={v}" for n, v in params[split:] if v is not None]
    args = [v for _, v in params[:split] if v is not None]
    args += [keywords[i] for i in b.ch.perm(len(keywords))]
    return f"{fn}({', '.join(args)})"


def method(b: Builder, x: Var, name: str, params: Sequence[tuple[str, str | None]]) -> str:
    """``x.name(...)``, its params written as by ``call``."""
    return call(b, f"{x.name}.{name}", params)


def unify_all(*tag_rows: Tags) -> Tags:
    """Dim by dim, the static form of several tensors the plugin unifies."""
    out = list(tag_rows[0])
    for row in tag_rows[1:]:
        out = [unify_tag(a, b) for a, b in zip(out, row, strict=True)]
    return tuple(out)


# -- well-typed steps ---------------------------------------------------------------------

UNARY = [
    "abs()",
    "exp()",
    "ln()",
    "sqrt()",
    "square()",
    "sin()",
    "cos()",
    "tanh()",
    "sigmoid()",
    "relu()",
    "gelu()",
    "fast_gelu()",
    "accurate_gelu()",
    "leaky_relu(0.1)",
    "recip()",
    "powf(1.5)",
    "powi(2)",
    "clamp(-1.0, 1.0)",
    "nans_to(0.0)",
    "negate()",
    "dropout(0.5)",
]
UNARY_I64 = ["abs()", "square()", "relu()", "clamp(-1, 1)", "negate()"]
"""What an i64 tensor accepts (the others are float-only)."""
REDUCTIONS = ["sum", "mean", "max", "min", "var", "std", "logsumexp"]
REDUCTIONS_I64 = ["sum", "max", "min"]


def step_unary(b: Builder, x: Var) -> Var:
    call = b.ch.pick(UNARY if x.dtype in FLOATS else UNARY_I64)
    name = call.split("(")[0]
    form = b.ch.int(0, 9)
    if form == 0:
        expr = f"-{x.name}"
    elif form == 1 and call.endswith("()"):
        expr = f"ops.{name}({x.name})"
    else:
        expr = f"{x.name}.{call}"
    return b.emit(expr, x.shape, x.dtype, x.tags, "unary")


def step_binary(b: Builder, x: Var) -> Var:
    n = x.name
    if b.ch.coin(30):  # with a Python scalar
        ints = [f"{n} + 1", f"{n} - 2", f"{n} * 3", f"2 * {n}", f"1 - {n}", f"3 + {n}"]
        floats = [f"{n} + 1.5", f"{n} * 0.5", f"{n} / 3.0", f"2.0 / {n}", f"1.0 - {n}"]
        expr = b.ch.pick(ints if x.dtype == "i64" else ints + floats)
        return b.emit(expr, x.shape, x.dtype, x.tags, "binary")
    y = b.aux(x.shape, x.dtype, x.tags)
    lhs, rhs = (x.name, y.name) if b.ch.coin(70) else (y.name, x.name)
    kinds = ["+", "-", "*", "maximum", "minimum", "add", "mul"]
    kind = b.ch.pick(kinds if x.dtype == "i64" else [*kinds, "/"])
    if len(kind) == 1:
        expr = f"{lhs} {kind} {rhs}"
    else:
        fn = f"dfdx.{kind}" if kind in ("maximum", "minimum") else f"ops.{kind}"
        expr = call(b, fn, [("a", lhs), ("b", rhs)])
    return b.emit(expr, x.shape, x.dtype, unify_all(x.tags, y.tags), "binary")


def step_compare_choose(b: Builder, x: Var) -> Var:
    """A comparison, then ``choose`` (bool_ tensors compare only for equality, and choose
    between tensors)."""
    boolean = x.dtype == "bool_"
    zero = "0.0" if x.dtype in FLOATS else "0"
    y = b.aux(x.shape, x.dtype, x.tags) if boolean or b.ch.coin(60) else None
    other = zero if y is None else y.name
    n = x.name
    equality = [f"{n} == {other}", f"{n} != {other}", f"{n}.eq({other})", f"{n}.ne({other})"]
    order = [f"{n} > {other}", f"{n} <= {other}", f"{n}.gt({other})", f"{n}.ge({other})"]
    cmp = b.ch.pick(equality if boolean else [*equality, *order, f"{n}.lt({other})"])
    tags = x.tags if y is None else unify_all(x.tags, y.tags)
    cond = b.emit(cmp, x.shape, "bool_", tags, "compare", prefix="c")
    if y is None and b.ch.coin(50):
        y = b.aux(x.shape, x.dtype, tags)
    if y is not None:
        tags = unify_all(tags, y.tags)
    other = zero if y is None else y.name
    first, second = (n, other) if b.ch.coin(50) else (other, n)
    expr = call(b, "dfdx.choose", [("cond", cond.name), ("a", first), ("b", second)])
    return b.emit(expr, x.shape, x.dtype, tags, "choose")


def _axes_arg(b: Builder, rank: int) -> tuple[tuple[int, ...], str | None]:
    """Reduction axes: (normalised axes, the ``axis`` argument or None when omitted)."""
    kind = b.ch.pick(["omit", "none", "int", "tuple"] if rank else ["omit", "none"])
    if kind == "omit":
        return tuple(range(rank)), None
    if kind == "none":
        return tuple(range(rank)), "None"
    if kind == "int":
        a, spelled = b.axis(rank)
        return (a,), spelled
    count = b.ch.int(0 if b.ch.coin(10) else 1, rank)
    chosen = b.ch.perm(rank)[:count]
    return tuple(sorted(chosen)), fmt([a - rank if b.ch.coin(30) else a for a in chosen])


def step_reduce(b: Builder, x: Var) -> Var:
    axes, arg = _axes_arg(b, len(x.shape))
    # max/min of no element raise ShapeError at run time, unseen by the plugin (KNOWN_ISSUES
    # in the test: max over an empty axis)
    empty = any(x.shape[a] == 0 for a in axes)
    names = REDUCTIONS if x.dtype in FLOATS else REDUCTIONS_I64
    name = b.ch.pick([r for r in names if not (empty and r in ("max", "min"))])
    out = tuple(d for i, d in enumerate(x.shape) if i not in axes)
    tags = tuple(t for i, t in enumerate(x.tags) if i not in axes)
    if b.ch.coin(20):
        expr = call(b, f"ops.{name}", [("x", x.name), ("axis", arg)])
    else:
        expr = method(b, x, name, [("axis", arg)])
    return b.emit(expr, out, x.dtype, tags, "reduce")


def step_softmax(b: Builder, x: Var) -> Var:
    name = b.ch.pick(["softmax", "log_softmax", "normalize"])
    rank = len(x.shape)
    axis: str | None = None
    if b.ch.coin(25) and rank >= 2:
        chosen = b.ch.perm(rank)[:2]
        axis = f"({chosen[0]}, {chosen[1] - rank})"
    elif b.ch.coin(70):
        axis = b.axis(rank)[1]
    if b.ch.coin(20):
        expr = call(b, f"ops.{name}", [("x", x.name), ("axis", axis)])
    else:
        expr = method(b, x, name, [("axis", axis)])
    return b.emit(expr, x.shape, x.dtype, x.tags, "softmax")


def step_broadcast(b: Builder, x: Var) -> Var:
    rank = len(x.shape)
    new = b.ch.int(1, min(2, MAX_RANK - rank))
    out_rank = rank + new
    positions = sorted(b.ch.perm(out_rank)[:new])
    kept = iter(zip(x.shape, x.tags, strict=True))
    dims: list[tuple[int, str | None]] = [
        (b.new_size(1, 4), None) if i in positions else next(kept) for i in range(out_rank)
    ]
    out = tuple(d for d, _ in dims)
    if numel(out) > MAX_NUMEL:
        raise StepNotApplicable("broadcast_to")
    spelled = [b.dim(d, t) for d, t in dims]
    target = fmt([s for s, _ in spelled])
    tags = tuple(
        w if t is None else unify_tag(t, w) for (_, t), (_, w) in zip(dims, spelled, strict=True)
    )
    axes: str | None = None
    if positions != list(range(new)) or b.ch.coin(50):
        written = [p - out_rank if b.ch.coin(30) else p for p in positions]
        axes = str(written[0]) if new == 1 and b.ch.coin(50) else fmt(written)
    params = [("shape", target), ("axes", axes)]
    if b.ch.coin(20):
        expr = call(b, "ops.broadcast_to", [("x", x.name), *params])
    else:
        expr = method(b, x, "broadcast_to", params)
    return b.emit(expr, out, x.dtype, tags, "broadcast_to")


def _factor(b: Builder, total: int, rank: int) -> list[int]:
    """``rank`` dims whose product is ``total`` (with a 0 dim when ``total`` is 0)."""
    if total == 0:
        dims = [b.ch.int(1, 4) for _ in range(rank)]
        dims[b.ch.int(0, rank - 1)] = 0
        return dims
    dims = []
    rest = total
    for _ in range(rank - 1):
        d = b.ch.pick([k for k in range(1, min(rest, 12) + 1) if rest % k == 0])
        dims.append(d)
        rest //= d
    return [*dims, rest] if rank else []


def step_reshape(b: Builder, x: Var) -> Var:
    total = numel(x.shape)
    rank = b.ch.int(0 if total == 1 else 1, 4)
    dims = _factor(b, total, rank)
    spelled = [b.dim(d) for d in dims]
    texts = [s for s, _ in spelled]
    tags = [t for _, t in spelled]
    holes = [i for i in range(rank) if numel(dims[:i] + dims[i + 1 :]) > 0]  # -1 next to 0: bad
    if holes and b.ch.coin(40):
        hole = b.ch.pick(holes)
        texts[hole] = "-1"
        others = tags[:hole] + tags[hole + 1 :]
        tags[hole] = LIT if all_lit(x.tags) and all_lit(others) else UNKNOWN
    target = fmt(texts)
    if b.ch.coin(20):
        expr = call(b, "ops.reshape", [("x", x.name), ("shape", target)])
    else:
        expr = method(b, x, "reshape", [("shape", target)])
    return b.emit(expr, tuple(dims), x.dtype, tuple(tags), "reshape")


def step_permute(b: Builder, x: Var) -> Var:
    rank = len(x.shape)
    perm = b.ch.perm(rank)
    axes = fmt([a - rank if b.ch.coin(20) else a for a in perm])
    out = tuple(x.shape[a] for a in perm)
    tags = tuple(x.tags[a] for a in perm)
    if b.ch.coin(20):
        expr = call(b, "ops.permute", [("x", x.name), ("axes", axes)])
    else:
        expr = method(b, x, "permute", [("axes", axes)])
    return b.emit(expr, out, x.dtype, tags, "permute")


def step_transpose(b: Builder, x: Var) -> Var:
    rank = len(x.shape)
    (i, si), (j, sj) = b.axis(rank), b.axis(rank)
    out, tags = list(x.shape), list(x.tags)
    out[i], out[j] = out[j], out[i]
    tags[i], tags[j] = tags[j], tags[i]
    if b.ch.coin(20):
        expr = call(b, "ops.transpose", [("x", x.name), ("a", si), ("b", sj)])
    else:
        expr = method(b, x, "transpose", [("a", si), ("b", sj)])
    return b.emit(expr, tuple(out), x.dtype, tuple(tags), "transpose")


def step_realize(b: Builder, x: Var) -> Var:
    """``realize`` accepts any spelling the run agrees with (a symbol may become a literal):
    the result has the written dims."""
    spelled, tags = b.shape(x.shape)
    return b.emit(f"{x.name}.realize({spelled})", x.shape, x.dtype, tags, "realize")


def step_to_dtype(b: Builder, x: Var) -> Var:
    """Any dtype to any other: mostly to a float one (most ops want one)."""
    others = sorted(DTYPES - {x.dtype})
    dtype = b.ch.pick([d for d in others if d in FLOATS] * 3 + others)
    source = x.name
    if x.dtype in FLOATS and dtype == "i64":  # NaN and inf have no i64 value: a ValueError
        source = f"{x.name}.clamp(-3.0, 3.0).nans_to(0.0)"
    return b.emit(f"{source}.to_dtype({dtype})", x.shape, dtype, x.tags, "to_dtype")


def _sequence(b: Builder, names: list[str]) -> str:
    if b.ch.coin(35):
        return "[" + ", ".join(names) + "]"
    return fmt(names)


def step_concat(b: Builder, x: Var) -> Var:
    rank = len(x.shape)
    ax, spelled = b.axis(rank)
    parts = [x]
    for _ in range(b.ch.int(0 if b.ch.coin(10) else 1, 2)):
        shape, want = list(x.shape), list[str | None](x.tags)
        shape[ax] = b.new_size(1, 4)
        want[ax] = None  # free: only the other dims must fit
        if numel(shape) > MAX_NUMEL:
            raise StepNotApplicable("concat")
        parts.append(b.aux(tuple(shape), x.dtype, tuple(want)))
    names = [parts[k].name for k in b.ch.perm(len(parts))]
    out = list(x.shape)
    out[ax] = sum(p.shape[ax] for p in parts)
    off_axis = unify_all(*(p.tags[:ax] + p.tags[ax + 1 :] for p in parts))
    along = LIT if all(p.tags[ax] == LIT for p in parts) else UNKNOWN
    tags = (*off_axis[:ax], along, *off_axis[ax:])
    expr = call(b, "dfdx.concat", [("tensors", _sequence(b, names)), ("axis", spelled)])
    return b.emit(expr, tuple(out), x.dtype, tags, "concat")


def step_stack(b: Builder, x: Var) -> Var:
    rank = len(x.shape)
    count = b.ch.int(0 if b.ch.coin(10) else 1, 2)
    parts = [x] + [b.aux(x.shape, x.dtype, x.tags) for _ in range(count)]
    names = [parts[k].name for k in b.ch.perm(len(parts))]
    ax, spelled = b.axis(rank, extra=1)
    out = (*x.shape[:ax], len(names), *x.shape[ax:])
    common = unify_all(*(p.tags for p in parts))
    tags = (*common[:ax], LIT, *common[ax:])
    axis = None if ax == 0 and b.ch.coin(40) else spelled
    expr = call(b, "dfdx.stack", [("tensors", _sequence(b, names)), ("axis", axis)])
    return b.emit(expr, out, x.dtype, tags, "stack")


def _slice_item(b: Builder, size: int, tag: str) -> tuple[str, int | None, str]:
    """One index item for an axis of ``size``: (as written, the new length or None when the
    axis is removed, the new static tag)."""
    kind = b.ch.pick(["int", "slice", "slice", "full"] if size else ["slice", "full"])
    if kind == "int":
        i = b.ch.int(-size, size - 1)
        return b.index_int(i), None, ""
    if kind == "full":
        return ":", size, tag
    start = None if b.ch.coin(30) else b.ch.int(-size - 1, size + 1)
    stop = None if b.ch.coin(30) else b.ch.int(-size - 1, size + 2)
    step = None if b.ch.coin(50) else b.ch.int(1, 3)
    length = len(range(size)[slice(start, stop, step)])
    if length == 0 and not b.zero:
        return ":", size, tag
    bounds = ["" if v is None else b.index_int(v) for v in (start, stop)]
    static = all(t == "" or t.lstrip("-").isdigit() for t in bounds)
    text = ":".join(bounds) + ("" if step is None else f":{step}")
    return text, length, LIT if tag == LIT and static else UNKNOWN


def step_slice(b: Builder, x: Var) -> Var:
    rank = len(x.shape)
    if b.ch.coin(3):
        return b.emit(f"{x.name}[()]", x.shape, x.dtype, x.tags, "slice")
    count = b.ch.int(1, rank)
    ellipsis_at = b.ch.int(0, count) if count < rank and b.ch.coin(30) else None
    if ellipsis_at is None:
        axes = list(range(count))
    else:
        axes = list(range(ellipsis_at)) + list(range(rank - (count - ellipsis_at), rank))
    written: list[str] = []
    items: dict[int, tuple[int | None, str]] = {}
    for a in axes:
        text, length, tag = _slice_item(b, x.shape[a], x.tags[a])
        written.append(text)
        items[a] = (length, tag)
    if ellipsis_at is not None:
        written.insert(ellipsis_at, "...")
    out: list[int] = []
    tags: list[str] = []
    for a, (d, t) in enumerate(zip(x.shape, x.tags, strict=True)):
        length, tag = items.get(a, (d, t))
        if length is not None:
            out.append(length)
            tags.append(tag)
    return b.emit(f"{x.name}[{', '.join(written)}]", tuple(out), x.dtype, tuple(tags), "slice")


def step_select(b: Builder, x: Var) -> Var:
    rank = len(x.shape)
    ax, spelled = b.axis(rank)
    if x.shape[ax] == 0:
        raise StepNotApplicable("select")  # no index fits an empty axis
    out, tags = x.shape[:ax] + x.shape[ax + 1 :], x.tags[:ax] + x.tags[ax + 1 :]
    if b.ch.coin(40):  # an int index: the axis defaults to 0
        index = b.index_int(b.ch.int(-x.shape[ax], x.shape[ax] - 1))
        default = ax == 0
    else:  # an index tensor: the axis defaults to its rank
        index = b.index_tensor(x.shape[:ax], x.shape[ax], x.tags[:ax]).name
        default = True
    axis = None if default and b.ch.coin(40) else spelled
    params = [("indices", index), ("axis", axis)]
    if b.ch.coin(20):
        expr = call(b, "ops.select", [("x", x.name), *params])
    else:
        expr = method(b, x, "select", params)
    return b.emit(expr, out, x.dtype, tags, "select")


def step_gather(b: Builder, x: Var) -> Var:
    rank = len(x.shape)
    if b.ch.coin(30):  # axis=0 with an index of any rank: an embedding lookup
        lead = tuple(b.new_size(1, 3) for _ in range(b.ch.int(1, 2)))
        out = (*lead, *x.shape[1:])
        if numel(out) > MAX_NUMEL or len(out) > MAX_RANK or x.shape[0] == 0:
            raise StepNotApplicable("gather")
        idx = b.index_tensor(lead, x.shape[0])
        tags = (*idx.tags, *x.tags[1:])
        axis = "0"
    else:
        ax, spelled = b.axis(rank)
        new = b.new_size(1, 4)
        out = (*x.shape[:ax], new, *x.shape[ax + 1 :])
        if numel(out) > MAX_NUMEL or x.shape[ax] == 0:
            raise StepNotApplicable("gather")
        idx = b.index_tensor((*x.shape[:ax], new), x.shape[ax], (*x.tags[:ax], None))
        tags = (*x.tags[:ax], idx.tags[-1], *x.tags[ax + 1 :])
        axis = spelled if b.ch.coin(50) else None
    params = [("indices", idx.name), ("axis", axis)]
    if b.ch.coin(20):
        expr = call(b, "ops.gather", [("x", x.name), *params])
    else:
        expr = method(b, x, "gather", params)
    return b.emit(expr, out, x.dtype, tags, "gather")


def step_roll(b: Builder, x: Var) -> Var:
    _, spelled = b.axis(len(x.shape))
    params = [("shift", str(b.ch.int(-5, 5))), ("axis", spelled)]
    if b.ch.coin(20):
        expr = call(b, "ops.roll", [("x", x.name), *params])
    else:
        expr = method(b, x, "roll", params)
    return b.emit(expr, x.shape, x.dtype, x.tags, "roll")


def step_triangle(b: Builder, x: Var) -> Var:
    name = b.ch.pick(["tril", "triu"])
    k = None if b.ch.coin(40) else str(b.ch.int(-2, 2))
    if b.ch.coin(20):
        expr = call(b, f"ops.{name}", [("x", x.name), ("k", k)])
    else:
        expr = method(b, x, name, [("k", k)])
    return b.emit(expr, x.shape, x.dtype, x.tags, "tril/triu")


def _matmul_forms(shape: tuple[int, ...]) -> list[str]:
    rank = len(shape)
    left = {1: ["k@kn"], 2: ["mk@k", "mk@kn"], 3: ["bmk@kn", "bmk@bkn"], 4: ["bsmk@bskn"]}
    right = {1: ["mk@k"], 2: ["k@kn", "mk@kn", "bmk@kn"], 3: ["bmk@bkn"], 4: ["bsmk@bskn"]}
    return [f"left:{f}" for f in left.get(rank, [])] + [f"right:{f}" for f in right.get(rank, [])]


def step_matmul(b: Builder, x: Var) -> Var:
    side, form = b.ch.pick(_matmul_forms(x.shape)).split(":")
    lhs, rhs = form.split("@")
    mine, theirs = (lhs, rhs) if side == "left" else (rhs, lhs)
    sizes = dict(zip(mine, x.shape, strict=True))
    known = dict(zip(mine, x.tags, strict=True))
    for letter in theirs:
        sizes.setdefault(letter, b.new_size(1, MAX_DIM))
    other_shape = tuple(sizes[c] for c in theirs)
    out_letters = (lhs[:-1] if len(lhs) > 1 else "") + (rhs[-1] if len(rhs) > 1 else "")
    out = tuple(sizes[c] for c in out_letters)
    if numel(other_shape) > MAX_NUMEL or numel(out) > MAX_NUMEL:
        raise StepNotApplicable("matmul")
    other = b.aux(other_shape, x.dtype, [known.get(c) for c in theirs])
    theirs_tags = dict(zip(theirs, other.tags, strict=True))
    tags = tuple(unify_tag(known.get(c, DYN), theirs_tags.get(c, DYN)) for c in out_letters)
    a, c = (x.name, other.name) if side == "left" else (other.name, x.name)
    expr = call(b, "dfdx.matmul", [("a", a), ("b", c)]) if b.ch.coin(30) else f"{a} @ {c}"
    return b.emit(expr, out, x.dtype, tags, f"matmul {form}")


def _pair(b: Builder, lo: int, hi: int) -> tuple[tuple[int, int], str]:
    """An int-or-pair conv parameter: (the pair, as written)."""
    if b.ch.coin(70):
        v = b.ch.int(lo, hi)
        return (v, v), str(v)
    h, w = b.ch.int(lo, hi), b.ch.int(lo, hi)
    return (h, w), f"({h}, {w})"


def _groups(b: Builder, channels: int) -> int:
    options = [g for g in range(1, channels + 1) if channels % g == 0]
    return b.ch.pick(options) if b.ch.coin(30) else 1


def _optional(b: Builder, value: str, default: str) -> str | None:
    """A parameter's value, or None (omitted) sometimes when it is the default."""
    return None if value == default and b.ch.coin(60) else value


def conv_size(size: int, k: int, s: int, p: int, d: int) -> int:
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _spatial_tags(x: Var, kernel: Tags) -> Tags:
    """The tags of a conv's or pool's output sizes: static where the input size and the
    kernel size are (the other parameters are literals)."""
    sizes = x.tags[-len(kernel) :]
    return tuple(LIT if s == k == LIT else UNKNOWN for s, k in zip(sizes, kernel, strict=True))


def _in_channels_tag(x: Var, channels_axis: int, groups: int) -> str | None:
    """How a weight's channel dim (``C / groups``) may be written against ``x``'s ``C``:
    like ``C`` itself; with groups a literal when ``C`` is one, else a Dyn dim (a literal
    times ``groups`` would meet a symbol)."""
    tag = x.tags[channels_axis]
    if groups == 1:
        return tag
    return LIT if tag == LIT else MUST_DYN


def step_conv2d(b: Builder, x: Var) -> Var:
    c, h, w = x.shape[-3:]
    if 0 in (c, h, w):
        raise StepNotApplicable("conv2d")
    g = _groups(b, c)
    o = g * b.ch.int(1, 3)
    k, _ = _pair(b, 1, 3)
    s, s_txt = _pair(b, 1, 2)
    p, p_txt = _pair(b, 0, 1)
    d, d_txt = _pair(b, 1, 2)
    ho, wo = conv_size(h, k[0], s[0], p[0], d[0]), conv_size(w, k[1], s[1], p[1], d[1])
    if ho < 1 or wo < 1:
        raise StepNotApplicable("conv2d")
    want = (None, _in_channels_tag(x, -3, g), None, None)
    weight = b.aux((o, c // g, k[0], k[1]), x.dtype, want)
    params = [
        *(("x", x.name), ("weight", weight.name)),
        *(("stride", _optional(b, s_txt, "1")), ("padding", _optional(b, p_txt, "0"))),
        *(("dilation", _optional(b, d_txt, "1")), ("groups", _optional(b, str(g), "1"))),
    ]
    out = (*x.shape[:-3], o, ho, wo)
    tags = (*x.tags[:-3], weight.tags[0], *_spatial_tags(x, weight.tags[2:]))
    return b.emit(call(b, "dfdx.conv2d", params), out, x.dtype, tags, "conv2d")


def step_conv1d(b: Builder, x: Var) -> Var:
    c, length = x.shape[-2:]
    if 0 in (c, length):
        raise StepNotApplicable("conv1d")
    g = _groups(b, c)
    o = g * b.ch.int(1, 3)
    k, s, p, d = b.ch.int(1, 3), b.ch.int(1, 2), b.ch.int(0, 1), b.ch.int(1, 2)
    lo = conv_size(length, k, s, p, d)
    if lo < 1:
        raise StepNotApplicable("conv1d")
    want = (None, _in_channels_tag(x, -2, g), None)
    weight = b.aux((o, c // g, k), x.dtype, want)
    params = [
        *(("x", x.name), ("weight", weight.name)),
        *(("stride", _optional(b, str(s), "1")), ("padding", _optional(b, str(p), "0"))),
        *(("dilation", _optional(b, str(d), "1")), ("groups", _optional(b, str(g), "1"))),
    ]
    out = (*x.shape[:-2], o, lo)
    tags = (*x.tags[:-2], weight.tags[0], *_spatial_tags(x, weight.tags[2:]))
    return b.emit(call(b, "dfdx.conv1d", params), out, x.dtype, tags, "conv1d")


def step_conv_transpose2d(b: Builder, x: Var) -> Var:
    c, h, w = x.shape[-3:]
    if 0 in (c, h, w):
        raise StepNotApplicable("conv_transpose2d")
    g = _groups(b, c)
    og = b.ch.int(1, 3)
    k, _ = _pair(b, 1, 3)
    s, s_txt = _pair(b, 1, 2)
    p, p_txt = _pair(b, 0, 1)
    d, d_txt = _pair(b, 1, 2)
    op_ = tuple(b.ch.int(0, max(s[i], d[i]) - 1) for i in range(2))
    op_txt = str(op_[0]) if op_[0] == op_[1] else f"({op_[0]}, {op_[1]})"
    ho, wo = (
        (n - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + op_[i] + 1 for i, n in enumerate((h, w))
    )
    if ho < 1 or wo < 1:
        raise StepNotApplicable("conv_transpose2d")
    weight = b.aux((c, og, k[0], k[1]), x.dtype, (x.tags[-3], None, None, None))
    params = [
        *(("x", x.name), ("weight", weight.name)),
        *(("stride", _optional(b, s_txt, "1")), ("padding", _optional(b, p_txt, "0"))),
        *(("dilation", _optional(b, d_txt, "1")), ("groups", _optional(b, str(g), "1"))),
        ("output_padding", _optional(b, op_txt, "0")),
    ]
    out = (*x.shape[:-3], og * g, ho, wo)
    out_channels = weight.tags[1] if weight.tags[1] == LIT or g == 1 else UNKNOWN
    tags = (*x.tags[:-3], out_channels, *_spatial_tags(x, weight.tags[2:]))
    return b.emit(call(b, "dfdx.conv_transpose2d", params), out, x.dtype, tags, "conv_transpose2d")


def step_pool2d(b: Builder, x: Var) -> Var:
    h, w = x.shape[-2:]
    kind = b.ch.pick(["avg", "max", "min"])
    k, k_txt = _pair(b, 1, 3)
    s, s_txt = _pair(b, 1, 2)
    p = tuple(b.ch.int(0, k[i] - 1) for i in range(2))
    p_txt = str(p[0]) if p[0] == p[1] else f"({p[0]}, {p[1]})"
    ho, wo = ((n + 2 * p[i] - k[i]) // s[i] + 1 for i, n in enumerate((h, w)))
    if ho < 1 or wo < 1 or 0 in x.shape:
        raise StepNotApplicable("pool2d")
    params = [
        *(("x", x.name), ("kind", f'"{kind}"'), ("kernel", k_txt)),
        *(("stride", _optional(b, s_txt, "1")), ("padding", _optional(b, p_txt, "0"))),
    ]
    out = (*x.shape[:-2], ho, wo)
    tags = (*x.tags[:-2], *_spatial_tags(x, (LIT, LIT)))
    return b.emit(call(b, "dfdx.pool2d", params), out, x.dtype, tags, "pool2d")


def step_upscale2d(b: Builder, x: Var) -> Var:
    h, w = x.shape[-2:]
    # An empty axis stays empty: upscaling it to a size > 0 raises a bare numpy IndexError
    # at run time (KNOWN_ISSUES in the test: upscale2d from an empty axis).
    size = (h + b.ch.int(0, 3) if h else 0, w + b.ch.int(0, 3) if w else 0)
    mode = b.ch.pick([None, '"nearest"', '"bilinear"'])
    spelled, written = b.shape(size)
    out = (*x.shape[:-2], *size)
    tags = (*x.tags[:-2], *written)
    params = [("x", x.name), ("size", spelled), ("mode", mode)]
    return b.emit(call(b, "dfdx.upscale2d", params), out, x.dtype, tags, "upscale2d")


LOSSES = [
    "mse_loss",
    "rmse_loss",
    "mae_loss",
    "huber_loss",
    "smooth_l1_loss",
    "binary_cross_entropy_with_logits_loss",
]
CLASS_LOSSES = ["cross_entropy_with_logits_loss", "kl_div_with_logits_loss"]
"""Losses over a class axis (the last): their logits have rank >= 1."""


def _loss_params(name: str) -> tuple[str, str]:
    if name in CLASS_LOSSES or name.startswith("binary"):
        return "logits", "target_probs"
    return "pred", "target"


def step_loss(b: Builder, x: Var) -> Var:
    """A loss of ``x`` and a tensor of its shape and dtype: a ``Rank0`` tensor."""
    name = b.ch.pick(LOSSES + (CLASS_LOSSES if x.shape else []))
    y = b.aux(x.shape, x.dtype, x.tags)
    first, second = (x, y) if b.ch.coin(60) else (y, x)
    names = _loss_params(name)
    params = [(names[0], first.name), (names[1], second.name)]
    if name in ("huber_loss", "smooth_l1_loss"):
        params.append(("delta" if name == "huber_loss" else "beta", b.ch.pick([None, "0.5"])))
    return b.emit(call(b, f"losses.{name}", params), (), x.dtype, (), "loss")


Step = Callable[[Builder, Var], Var]
POSITIVE = tuple(range(1, MAX_RANK + 1))
"""Ranks with an axis."""
GROWABLE = tuple(range(MAX_RANK))
"""Ranks that can take one more axis."""


@dataclass(frozen=True)
class Op:
    """A well-typed step: its name, the ranks it applies to, its weight in the draw."""

    name: str
    step: Step
    ranks: tuple[int, ...] = tuple(range(MAX_RANK + 1))
    weight: int = 2
    dtypes: frozenset[str] = FLOATS


OPS: tuple[Op, ...] = (
    Op("unary", step_unary, weight=2, dtypes=NUMBERS),
    Op("binary", step_binary, weight=3, dtypes=NUMBERS),
    Op("compare/choose", step_compare_choose, weight=1, dtypes=DTYPES),
    Op("reduce", step_reduce, weight=3, dtypes=NUMBERS),
    Op("softmax", step_softmax, ranks=POSITIVE),
    Op("broadcast_to", step_broadcast, ranks=GROWABLE, dtypes=DTYPES),
    Op("reshape", step_reshape, weight=3, dtypes=DTYPES),
    Op("permute", step_permute, ranks=POSITIVE, dtypes=DTYPES),
    Op("transpose", step_transpose, ranks=POSITIVE, dtypes=DTYPES),
    Op("realize", step_realize, weight=1, dtypes=DTYPES),
    Op("to_dtype", step_to_dtype, weight=1, dtypes=DTYPES),
    Op("concat", step_concat, ranks=POSITIVE, dtypes=DTYPES),
    Op("stack", step_stack, ranks=GROWABLE, dtypes=DTYPES),
    Op("slice", step_slice, ranks=POSITIVE, weight=3, dtypes=DTYPES),
    Op("select", step_select, ranks=POSITIVE, dtypes=DTYPES),
    Op("gather", step_gather, ranks=POSITIVE, dtypes=DTYPES),
    Op("roll", step_roll, ranks=POSITIVE, weight=1, dtypes=DTYPES),
    Op("tril/triu", step_triangle, ranks=POSITIVE[1:], weight=1, dtypes=DTYPES),
    Op("matmul", step_matmul, ranks=(1, 2, 3, 4), weight=6),
    Op("conv2d", step_conv2d, ranks=(3, 4), weight=4),
    Op("conv1d", step_conv1d, ranks=(2, 3), weight=3),
    Op("conv_transpose2d", step_conv_transpose2d, ranks=(3, 4), weight=3),
    Op("pool2d", step_pool2d, ranks=(3, 4), weight=3),
    Op("upscale2d", step_upscale2d, ranks=(3, 4), weight=2),
    Op("loss", step_loss, weight=1),
)
"""Every well-typed step, the ranks and dtypes of tensor it applies to."""


def random_shape(b: Builder, rank: int) -> tuple[int, ...]:
    """A shape of ``rank`` with at most ``MAX_NUMEL`` elements (and sometimes a 0 dim, in a
    program with empty tensors)."""
    top = min(MAX_DIM, int(MAX_NUMEL ** (1 / rank))) if rank else 1
    shape = [b.ch.int(1, top) for _ in range(rank)]
    if rank and b.zero and b.ch.coin(50):
        shape[b.ch.int(0, rank - 1)] = 0
    return tuple(shape)


def _start_shape(b: Builder) -> tuple[int, ...]:
    return random_shape(b, b.ch.pick([0, 1, 2, 2, 3, 3, 3, 4, 4, 4, 5]))


def _start_dtype(b: Builder) -> str:
    return b.ch.pick(["f32"] * 14 + ["f64"] * 3 + ["i64"] * 2 + ["bool_"] + sorted(HALVES))


def _start(b: Builder) -> Var:
    """The first tensor, and sometimes a second one (same shape, or a fresh one)."""
    dtype = _start_dtype(b)
    x = b.create(_start_shape(b), dtype)
    if b.ch.coin(40):
        b.create(x.shape if b.ch.coin(50) else _start_shape(b), dtype)
    return x


def _annotation(b: Builder, var: Var) -> str:
    """``Tensor[Rank2[B, 3], f32, Cpu]`` or ``Tensor[tuple[B, Literal[3]], f32, Cpu]``: a
    symbol where the tag is one, a literal where it is static, else ``Dyn``."""
    rank = len(var.shape)
    dims = [
        t if t in SYMBOLS else str(d) if t == LIT else "Dyn"
        for d, t in zip(var.shape, var.tags, strict=True)
    ]
    if b.ch.coin(50):
        shape = f"Rank{rank}[{', '.join(dims)}]" if rank else "Rank0"
    else:
        inner = ", ".join(
            d if d in SYMBOLS else "int" if d == "Dyn" else f"Literal[{d}]" for d in dims
        )
        shape = f"tuple[{inner or '()'}]"
    return f"Tensor[{shape}, {var.dtype}, Cpu]"


def _symbolic_start(b: Builder) -> Var:
    """The parameters of ``def chain(x, [y,] b: B, ...)``: tensors created at module level
    with literal shapes, some of whose dims the signature names with symbols."""
    dtype = _start_dtype(b)
    first = _start_shape(b)
    starts = [b.create(first, dtype, (EXACT,) * len(first))]
    if b.ch.coin(40):
        second = first if b.ch.coin(50) else _start_shape(b)
        starts.append(b.create(second, dtype, (EXACT,) * len(second)))
    params: list[Var] = []
    for name, start in zip(("x", "y"), starts, strict=False):
        tags: list[str] = []
        for d in start.shape:
            same = [s for s, v in b.p.symbols.items() if v == d]
            if same and b.ch.coin(60):
                tags.append(b.ch.pick(same))
            elif len(b.p.symbols) < len(SYMBOLS) and b.ch.coin(50):
                s = SYMBOLS[len(b.p.symbols)]
                b.p.symbols[s] = d
                tags.append(s)
            else:
                tags.append(LIT)
        params.append(Var(name, start.shape, dtype, tuple(tags)))
    if not b.p.symbols:  # at least one symbol: a parameter of its own
        b.p.symbols["B"] = b.ch.int(1, MAX_DIM)
    b.params = {s: s.lower() for s in b.p.symbols}
    at = b.lines.index("dev = Cpu(seed=0)")
    b.lines[at:at] = [f'{s} = TypeVar("{s}", bound=int)' for s in b.p.symbols]
    shift = len(b.p.symbols)  # the reveal lines recorded so far moved down
    b.p.reveals = {line + shift: r for line, r in b.p.reveals.items()}
    b.lines += ["", ""]
    signature = [f"{v.name}: {_annotation(b, v)}" for v in params]
    signature += [f"{b.params[s]}: {s}" for s in b.p.symbols]
    b.line(f"def chain({', '.join(signature)}) -> None:")
    b.indent = "    "
    b.pool = []
    for v in params:
        b.reveal(v)
        b.pool.append(v)
    b.call = (
        f"chain({', '.join([s.name for s in starts] + [str(v) for v in b.p.symbols.values()])})"
    )
    return params[0]


def _apply_some_op(b: Builder, x: Var, ops: Sequence[Op]) -> Var:
    """One applicable op of ``ops`` (weighted), retrying when an op's draws lead nowhere."""
    for _ in range(8):
        options = [
            op
            for op in ops
            if len(x.shape) in op.ranks and x.dtype in op.dtypes
            for _ in range(op.weight)
        ]
        op = b.ch.pick(options)
        mark = (len(b.lines), len(b.pool), dict(b.p.reveals), list(b.p.ops), b.p.uses_dyn)
        try:
            return op.step(b, x)
        except StepNotApplicable:
            lines, pool, reveals, done, dyn = mark
            del b.lines[lines:], b.pool[pool:]
            b.p.reveals, b.p.ops, b.p.uses_dyn = reveals, done, dyn
    return step_realize(b, x)


def well_typed(ch: Chooser) -> Program:
    """A program whose every step is valid: no mypy error, and it runs."""
    p = Program("well", "well")
    b = Builder(ch, p, allow_dyn=ch.coin(40))
    b.zero = ch.coin(10)
    symbolic = ch.coin(30)
    x = _symbolic_start(b) if symbolic else _start(b)
    for _ in range(ch.int(1, 6)):
        x = _apply_some_op(b, x, OPS)
    if symbolic:  # return the last tensor, and reveal it at the call
        at = next(i for i, line in enumerate(b.lines) if line.startswith("def chain("))
        b.lines[at] = b.lines[at].replace("-> None:", f"-> {_annotation(b, x)}:")
        b.line(f"return {x.name}")
        b.indent = ""
        b.lines += ["", ""]
        result = Var(
            "result", x.shape, x.dtype, tuple(LIT if t == LIT else UNKNOWN for t in x.tags)
        )
        b.line(f"result = {b.call}")
        b.reveal(result)
    p.source = b.source()
    return p


# -- ill-typed steps ----------------------------------------------------------------------
def bad_line(
    b: Builder,
    expr: str,
    op: str,
    violation: str,
    exc: str = "ShapeError",
    code: str = "tensor-shape",
) -> None:
    """The ill-typed last line: mypy must report ``op: ... [code]`` on it, and the run must
    raise ``exc`` there."""
    b.lines.append(f"bad = {expr}")
    b.p.error_line = len(b.lines)
    b.p.error_op = op
    b.p.error_exc = exc
    b.p.error_code = code
    b.p.violation = violation


def _other_size(b: Builder, size: int) -> int:
    return b.ch.pick([d for d in range(1, MAX_DIM + 2) if d != size])


def _changed(b: Builder, shape: tuple[int, ...], axis: int | None = None) -> tuple[int, ...]:
    """``shape`` with one dim (``axis``, or a random one) changed."""
    a = b.ch.int(0, len(shape) - 1) if axis is None else axis
    out = list(shape)
    out[a] = _other_size(b, out[a])
    return tuple(out)


def bad_binary(b: Builder, x: Var) -> None:
    if x.shape and b.ch.coin(70):
        shape = _changed(b, x.shape)
    elif x.shape and b.ch.coin(50):
        shape = x.shape[1:]  # (N, 1) + (N,): no implicit broadcasting
    else:
        shape = (*x.shape, b.ch.int(1, 3))
    y = b.create(shape, x.dtype).name
    n = x.name
    op, expr = b.ch.pick(
        [
            *(("add", f"{n} + {y}"), ("sub", f"{n} - {y}"), ("mul", f"{y} * {n}")),
            *(("div", f"{n} / {y}"), ("maximum", f"dfdx.maximum({n}, {y})")),
            *(("minimum", f"dfdx.minimum({y}, {n})"), ("gt", f"{n} > {y}")),
            ("eq", f"{n}.eq({y})"),
        ]
    )
    bad_line(b, expr, op, "binary shapes differ")


def bad_choose(b: Builder, x: Var) -> None:
    cond = b.emit(f"{x.name} > 0.0", x.shape, "bool_", x.tags, "compare", prefix="c")
    y = b.create(_changed(b, x.shape), x.dtype).name
    bad_line(b, f"dfdx.choose({cond.name}, {x.name}, {y})", "choose", "choose shapes differ")


def _bad_axis(b: Builder, rank: int, extra: int = 0) -> str:
    n = rank + extra
    return str(b.ch.pick([n, n + 1, -n - 1]))


def bad_reduce(b: Builder, x: Var) -> None:
    name = b.ch.pick(REDUCTIONS)
    rank = len(x.shape)
    if rank and b.ch.coin(30):
        a = b.ch.int(0, rank - 1)
        axis = f"({a}, {a - rank})"
    else:
        axis = _bad_axis(b, rank)
    bad_line(b, f"{x.name}.{name}({axis})", name, "reduction axis")


def bad_softmax(b: Builder, x: Var) -> None:
    name = b.ch.pick(["softmax", "log_softmax", "normalize"])
    axis = _bad_axis(b, len(x.shape))
    bad_line(b, f"{x.name}.{name}(axis={axis})", name, "softmax axis")


def bad_reshape(b: Builder, x: Var) -> None:
    total = numel(x.shape)
    kind = b.ch.pick(["count", "hole", "two holes"])
    if kind == "count":
        dims = [b.ch.int(1, 6) for _ in range(b.ch.int(1, 3))]
        if numel(dims) == total:
            dims.append(2)
        target = fmt(dims)
    elif kind == "hole":
        d = b.ch.pick([k for k in range(2, 8) if total % k])
        target = b.ch.pick([f"(-1, {d})", f"({d}, -1)"])
    else:
        target = "(-1, -1)" if b.ch.coin(50) else f"(-1, {total}, -1)"
    bad_line(b, f"{x.name}.reshape({target})", "reshape", f"reshape {kind}")


def bad_permute(b: Builder, x: Var) -> None:
    rank = len(x.shape)
    kind = b.ch.pick(["length", "repeat", "range"] if rank >= 2 else ["length", "range"])
    perm = b.ch.perm(rank)
    if kind == "length":
        perm = perm[:-1] if rank and b.ch.coin(50) else [*perm, rank]
    elif kind == "repeat":
        perm[0] = perm[1]
    else:
        perm[b.ch.int(0, rank - 1)] = int(_bad_axis(b, rank))
    bad_line(b, f"{x.name}.permute({fmt(perm)})", "permute", f"permute {kind}")


def bad_transpose(b: Builder, x: Var) -> None:
    rank = len(x.shape)
    good = b.axis(rank)[1]
    args = [good, _bad_axis(b, rank)]
    if b.ch.coin(50):
        args.reverse()
    bad_line(b, f"{x.name}.transpose({args[0]}, {args[1]})", "transpose", "transpose axis")


def bad_concat(b: Builder, x: Var) -> None:
    rank = len(x.shape)
    ax, spelled = b.axis(rank)
    kind = b.ch.pick(["off-axis", "rank", "axis"] if rank >= 2 else ["rank", "axis"])
    if kind == "off-axis":
        other = b.ch.pick([a for a in range(rank) if a != ax])
        shape = list(_changed(b, x.shape, other))
        shape[ax] = b.ch.int(1, 4)
        y = b.create(tuple(shape), x.dtype).name
    elif kind == "rank":
        y = b.create((*x.shape, 2), x.dtype).name
    else:
        y = b.aux(x.shape, x.dtype).name
        spelled = _bad_axis(b, rank)
    bad_line(b, f"dfdx.concat(({x.name}, {y}), {spelled})", "concat", f"concat {kind}")


def bad_stack(b: Builder, x: Var) -> None:
    rank = len(x.shape)
    if rank and b.ch.coin(60):
        y = b.create(_changed(b, x.shape), x.dtype).name
        axis = b.axis(rank, extra=1)[1]
        violation = "stack shapes"
    else:
        y = b.aux(x.shape, x.dtype).name
        axis = _bad_axis(b, rank, extra=1)
        violation = "stack axis"
    bad_line(b, f"dfdx.stack([{x.name}, {y}], axis={axis})", "stack", violation)


def bad_broadcast(b: Builder, x: Var) -> None:
    rank = len(x.shape)
    kind = b.ch.pick(["dims", "rank", "axes"] if rank else ["rank", "axes"])
    if kind == "dims":
        target, axes = fmt((2, *_changed(b, x.shape))), ""
    elif kind == "rank":
        target, axes = fmt(x.shape[1:] if rank else ()), ""
        if not rank:
            target, axes = fmt((2, 3)), ", axes=(0, 1, 2)"
    else:
        target, axes = fmt((3, *x.shape)), ", axes=(0, 1)"
    bad_line(b, f"{x.name}.broadcast_to({target}{axes})", "broadcast_to", f"broadcast {kind}")


def bad_matmul(b: Builder, x: Var) -> None:
    rank = len(x.shape)
    kind = b.ch.pick(["inner", "batch", "form"] if rank in (3, 4) else ["inner", "form"])
    k = x.shape[-1]
    if kind == "form":
        shapes = {1: (k,), 2: (2, 2, k, 3), 3: (k,), 4: (k, 2)}
        y = b.create(shapes[rank], x.dtype).name
    else:
        wrong = _other_size(b, k)
        if rank == 1:
            shape: tuple[int, ...] = (wrong, 3)
        elif rank == 2:
            shape = b.ch.pick([(wrong,), (wrong, 2)])
        elif kind == "inner":
            shape = (*x.shape[:-2], wrong, 2)
        else:
            shape = (*_changed(b, x.shape[:-2]), k, 2)
        y = b.create(shape, x.dtype).name
    expr = f"{x.name} @ {y}" if b.ch.coin(70) else f"dfdx.matmul({x.name}, {y})"
    bad_line(b, expr, "matmul", f"matmul {kind}")


def bad_conv2d(b: Builder, x: Var) -> None:
    c, h = x.shape[-3:-1]
    kind = b.ch.pick(["channels", "kernel", "groups"])
    if kind == "channels":
        weight = b.create((2, _other_size(b, c), 1, 1), x.dtype).name
        args = ""
    elif kind == "kernel":
        weight = b.create((2, c, h + 1, 1), x.dtype).name
        args = ", padding=0" if b.ch.coin(50) else ""
    else:  # out channels not divisible by groups: 2 groups of c/2... or c odd
        if c % 2:
            weight = b.create((2, 1, 1, 1), x.dtype).name  # c odd: groups 2 never fits
        else:
            weight = b.create((3, c // 2, 1, 1), x.dtype).name  # 3 outputs, 2 groups
        args = ", groups=2"
    bad_line(b, f"dfdx.conv2d({x.name}, {weight}{args})", "conv2d", f"conv2d {kind}")


def bad_conv1d(b: Builder, x: Var) -> None:
    c, length = x.shape[-2:]
    if b.ch.coin(60):
        weight, kind = b.create((2, _other_size(b, c), 1), x.dtype).name, "channels"
    else:
        weight, kind = b.create((2, c, length + 2), x.dtype).name, "kernel"
    bad_line(b, f"dfdx.conv1d({x.name}, {weight})", "conv1d", f"conv1d {kind}")


def bad_conv_transpose2d(b: Builder, x: Var) -> None:
    c = x.shape[-3]
    if b.ch.coin(60):
        weight, args, kind = b.create((_other_size(b, c), 2, 3, 3), x.dtype).name, "", "channels"
    else:
        weight = b.create((c, 2, 1, 1), x.dtype).name
        args, kind = ", stride=2, output_padding=2", "output_padding"
    expr = f"dfdx.conv_transpose2d({x.name}, {weight}{args})"
    bad_line(b, expr, "conv_transpose2d", f"conv_transpose2d {kind}")


def bad_pool2d(b: Builder, x: Var) -> None:
    h = x.shape[-2]
    if b.ch.coin(50):
        args, kind = f"({h + 1}, 1)", "kernel"
    else:
        k = b.ch.int(1, 2)
        args, kind = f"{k}, padding={k + b.ch.int(0, 1)}", "padding"
    bad_line(b, f'dfdx.pool2d({x.name}, "max", {args})', "pool2d", f"pool2d {kind}")


def bad_upscale2d(b: Builder, x: Var) -> None:
    size = list(x.shape[-2:])
    size[b.ch.int(0, 1)] -= 1  # may be 0: still smaller
    bad_line(b, f"dfdx.upscale2d({x.name}, {fmt(size)})", "upscale2d", "upscale2d smaller")


def bad_triangle(b: Builder, x: Var) -> None:
    name = b.ch.pick(["tril", "triu"])
    bad_line(b, f"{x.name}.{name}()", name, "triangle rank")


def bad_roll(b: Builder, x: Var) -> None:
    bad_line(b, f"{x.name}.roll(1, {_bad_axis(b, len(x.shape))})", "roll", "roll axis")


def bad_realize(b: Builder, x: Var) -> None:
    rank = len(x.shape)
    shape = _changed(b, x.shape) if rank and b.ch.coin(60) else (*x.shape, 1)
    bad_line(b, f"{x.name}.realize({fmt(shape)})", "realize", "realize")


def bad_select(b: Builder, x: Var) -> None:
    rank = len(x.shape)
    kind = b.ch.pick(["index shape", "axis", "int"] + (["index rank"] if rank <= 3 else []))
    if kind == "int":  # like x[i]: an IndexError at run time, as numpy and torch raise
        axis = b.ch.int(0, rank - 1)
        i = b.ch.pick([x.shape[axis], x.shape[axis] + 2, -x.shape[axis] - 1])
        expr = f"{x.name}.select({i}, axis={axis})"
        bad_line(b, expr, "select", "select int index", "IndexError")
    elif kind == "index shape" and rank >= 2:
        idx = b.index_tensor(_changed(b, x.shape[:1]), x.shape[1]).name
        bad_line(b, f"{x.name}.select({idx}, 1)", "select", "select index shape")
    elif kind == "index rank" or rank < 2:
        idx = b.index_tensor(x.shape, 1).name
        bad_line(b, f"{x.name}.select({idx})", "select", "select index rank")
    else:
        idx = b.index_tensor((), 1).name
        bad_line(b, f"{x.name}.select({idx}, axis={_bad_axis(b, rank)})", "select", "select axis")


def bad_gather(b: Builder, x: Var) -> None:
    rank = len(x.shape)
    if rank >= 2 and b.ch.coin(60):
        idx = b.index_tensor((_other_size(b, x.shape[0]), 2), x.shape[1]).name
        bad_line(b, f"{x.name}.gather({idx})", "gather", "gather index shape")
    else:
        idx = b.index_tensor((*x.shape, 2), 1).name
        bad_line(b, f"{x.name}.gather({idx})", "gather", "gather index rank")


def bad_slice(b: Builder, x: Var) -> None:
    rank = len(x.shape)
    kind = b.ch.pick(["step", "index", "too many"])
    if kind == "step":
        bad_line(
            b,
            f"{x.name}[{', '.join([':'] * b.ch.int(0, rank - 1) + ['::0'])}]",
            "slice",
            "slice step",
        )
    elif kind == "index":
        a = b.ch.int(0, rank - 1)
        d = x.shape[a]
        i = b.ch.pick([d, d + 1, -d - 1])
        items = [":"] * a + [str(i)]
        bad_line(b, f"{x.name}[{', '.join(items)}]", "slice", "slice index", "IndexError")
    else:
        items = ["0"] * (rank + 1)
        bad_line(b, f"{x.name}[{', '.join(items)}]", "slice", "slice too many", "IndexError")


FLOAT_ONLY = ["exp", "ln", "sqrt", "sin", "tanh", "sigmoid", "gelu", "recip", "mean", "var"]
NUMBER_ONLY = ["relu", "abs", "negate", "square", "sum", "max", "min"]


def bad_dtype(b: Builder, x: Var) -> None:
    """A dtype an op does not take: a static ``tensor-dtype`` error, ``DTypeError`` at run
    time."""
    rank = len(x.shape)
    kinds = ["float only", "number only", "dtypes differ", "matmul i64"]
    kind = b.ch.pick(
        kinds + (["index dtype"] if rank else []) + (["conv i64"] if rank == 4 else [])
    )
    dtype_error = {"exc": "DTypeError", "code": "tensor-dtype"}
    if kind == "float only":
        y = b.create(x.shape, "i64")
        op = b.ch.pick(FLOAT_ONLY + (["softmax"] if rank else []))
        bad_line(b, f"{y.name}.{op}()", op, kind, **dtype_error)
    elif kind == "number only":
        y = b.create(x.shape, "bool_")
        op, expr = b.ch.pick(
            [(op, f"{y.name}.{op}()") for op in NUMBER_ONLY]
            + [("add", f"{y.name} + {y.name}"), ("mul", f"{y.name} * {y.name}")]
            + [("gt", f"{y.name} > {y.name}")]
        )
        bad_line(b, expr, op, kind, **dtype_error)
    elif kind == "dtypes differ":  # two float dtypes: f32, f64, f16, bf16 or AMP[bf16]
        first = x.dtype if b.ch.coin(40) else b.ch.pick(sorted(FLOATS))
        if first != x.dtype:
            x = b.emit(f"{x.name}.to_dtype({first})", x.shape, first, x.tags, "to_dtype")
        y = b.create(x.shape, b.ch.pick(sorted(FLOATS - {first})))
        op, expr = b.ch.pick(
            [("add", f"{x.name} + {y.name}"), ("mul", f"{y.name} * {x.name}")]
            + [("maximum", f"dfdx.maximum({x.name}, {y.name})")]
            + [("mse_loss", f"losses.mse_loss({x.name}, {y.name})")]
            + [("concat", f"dfdx.concat(({x.name}, {y.name}), 0)")] * (rank > 0)
        )
        bad_line(b, expr, op, kind, **dtype_error)
    elif kind == "matmul i64":
        a, c = b.create((2, 3), "i64"), b.create((3, 4), "i64")
        bad_line(b, f"{a.name} @ {c.name}", "matmul", kind, **dtype_error)
    elif kind == "index dtype":
        idx = b.create((), "f32")
        bad_line(b, f"{x.name}.select({idx.name})", "select", kind, **dtype_error)
    else:
        y = b.create(x.shape, "i64")
        w = b.create((2, x.shape[1], 1, 1), "i64")
        bad_line(b, f"dfdx.conv2d({y.name}, {w.name})", "conv2d", kind, **dtype_error)


def bad_loss(b: Builder, x: Var) -> None:
    """A loss of two shapes (no broadcasting), or a classification loss of ``Rank0`` logits
    (no class axis)."""
    rank = len(x.shape)
    if rank == 0 and b.ch.coin(40):
        name = b.ch.pick(CLASS_LOSSES)
        bad_line(b, f"losses.{name}({x.name}, {x.name})", name, "loss class axis")
        return
    shape = _changed(b, x.shape) if rank and b.ch.coin(60) else (*x.shape, 2)
    y = b.create(shape, x.dtype).name
    name = b.ch.pick(LOSSES + CLASS_LOSSES)
    bad_line(b, f"losses.{name}({x.name}, {y})", name, "loss shapes")


@dataclass(frozen=True)
class Violation:
    """An ill-typed last step: its name, the ranks of tensor it needs."""

    name: str
    step: Callable[[Builder, Var], None]
    ranks: tuple[int, ...] = tuple(range(MAX_RANK + 1))


VIOLATIONS: tuple[Violation, ...] = (
    Violation("binary", bad_binary),
    Violation("choose", bad_choose, ranks=(1, 2, 3, 4)),
    Violation("reduce", bad_reduce),
    Violation("softmax", bad_softmax),
    Violation("reshape", bad_reshape),
    Violation("permute", bad_permute, ranks=(1, 2, 3, 4, 5)),
    Violation("transpose", bad_transpose, ranks=(1, 2, 3, 4, 5)),
    Violation("concat", bad_concat, ranks=(1, 2, 3, 4)),
    Violation("stack", bad_stack, ranks=(0, 1, 2, 3, 4)),
    Violation("broadcast_to", bad_broadcast, ranks=(0, 1, 2, 3, 4)),
    Violation("matmul", bad_matmul, ranks=(1, 2, 3, 4)),
    Violation("conv2d", bad_conv2d, ranks=(3, 4)),
    Violation("conv1d", bad_conv1d, ranks=(2, 3)),
    Violation("conv_transpose2d", bad_conv_transpose2d, ranks=(3, 4)),
    Violation("pool2d", bad_pool2d, ranks=(3, 4)),
    Violation("upscale2d", bad_upscale2d, ranks=(3, 4)),
    Violation("tril/triu", bad_triangle, ranks=(0, 1)),
    Violation("roll", bad_roll, ranks=(1, 2, 3, 4, 5)),
    Violation("realize", bad_realize),
    Violation("select", bad_select, ranks=(1, 2, 3, 4)),
    Violation("gather", bad_gather, ranks=(1, 2, 3, 4)),
    Violation("slice", bad_slice, ranks=(1, 2, 3, 4, 5)),
    Violation("dtype", bad_dtype, ranks=(0, 1, 2, 3, 4)),
    Violation("loss", bad_loss, ranks=(0, 1, 2, 3)),
)

_SHAPE_KEEPING = tuple(
    op for op in OPS if op.name in ("unary", "binary", "softmax", "roll", "realize")
)


def ill_typed(ch: Chooser, violation: Violation) -> Program:
    """A fully static program whose last line breaks a precondition: ``violation``."""
    p = Program("ill", "ill")
    b = Builder(ch, p, allow_dyn=False)
    p.ops.append(f"bad {violation.name}")
    x = b.create(random_shape(b, ch.pick(violation.ranks)))
    for _ in range(ch.int(0, 2)):  # a few steps that keep the rank the violation needs
        x = _apply_some_op(b, x, _SHAPE_KEEPING)
    violation.step(b, x)
    p.source = b.source()
    return p
