"""Static equals runtime: the plugin's shapes are the shapes the ops compute.

A differential test. ``program_gen`` writes random programs, every choice drawn by
hypothesis (``st.data()`` draws a ``st.randoms(use_true_random=False)`` per program):

- *well-typed*: one or two tensors created with literal shapes, then 1-6 ops whose
  preconditions hold, every intermediate revealed with ``reveal_type``; some with ``Dyn``
  dims (an ``int`` variable), some *symbolic* (the chain inside a function whose parameters
  have ``TypeVar`` dims), some with empty tensors, some on ``i64`` or ``bool_`` tensors,
  some in half or mixed precision (``f16``, ``bf16``, ``AMP[bf16]``), some ending in a loss;
- *ill-typed*: a few static steps, then one that breaks a precondition (``VIOLATIONS``).

All programs are type-checked by ONE mypy run per session (the configuration of
``typecheck_cases/mypy.ini``: the plugin, strict mode; a cache in a temp dir), then each is
executed on the Cpu with ``typing.reveal_type`` patched to record the runtime shape and
dtype of its argument. For a well-typed program mypy reports no error and, at every reveal:

- each static dim agrees with the runtime size: a literal equals it, ``Dyn`` matches any
  size, a symbol matches the size it is bound to in the call;
- the static dims are as precise as the generator expects (a dim it knows to be static is a
  literal, a symbol it knows stays that symbol; a program that writes no ``Dyn`` or symbol
  gets only literals);
- the dtypes agree, and the run matches the generator's own model of each shape.

An ill-typed program gets exactly one error, ``<op>: ... [tensor-shape]`` (or
``[tensor-dtype]``), on its last line, and the run raises ``ShapeError`` (``DTypeError``;
``IndexError`` for an int index out of range, as numpy and torch do) on that same line with
a message naming the op. mypy never crashes, nor reports a plugin internal error.
Disagreements it found (since fixed) stay as regression cases: ``FIXED_ISSUES``.

Reproducible: the programs depend only on the seed and the count (``DEFAULT_SEED``,
``DEFAULT_PROGRAMS``). Explore more with ``pytest tests/typecheck/test_static_equals_runtime.py
--diff-programs=2000 --diff-seed=7`` (the number of well-typed programs; half as many
ill-typed ones). A failure prints the program with line numbers and the path of its file;
``mypy --config-file typecheck_cases/mypy.ini <file>`` from the repository root shows
mypy's view, ``python <file>`` the run's.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sys
import types
import typing
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from mypy import api

from dfdx_py import ShapeError
from tests.typecheck.program_gen import (
    HALVES,
    LIT,
    OPS,
    VIOLATIONS,
    Chooser,
    Program,
    Reveal,
    fmt,
    ill_typed,
    well_typed,
)

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "typecheck_cases" / "mypy.ini"

DEFAULT_PROGRAMS = 250
"""Well-typed programs per run (``--diff-programs``); half as many ill-typed ones."""
DEFAULT_SEED = 20250101
"""The hypothesis seed of the corpus (``--diff-seed``); the ill-typed programs of violation
``k`` use ``seed + 1 + k``."""


def _options(config: pytest.Config) -> tuple[int, int, int]:
    """(well-typed count, ill-typed count, seed) from the command line."""
    count = config.getoption("--diff-programs", default=None) or DEFAULT_PROGRAMS
    seed = config.getoption("--diff-seed", default=None)
    return count, max(count // 2, 1), DEFAULT_SEED if seed is None else seed


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    well, ill, _ = _options(metafunc.config)
    if "well_index" in metafunc.fixturenames:
        metafunc.parametrize("well_index", range(well), ids=[f"well_{i:04d}" for i in range(well)])
    if "ill_index" in metafunc.fixturenames:
        metafunc.parametrize("ill_index", range(ill), ids=[f"ill_{i:04d}" for i in range(ill)])


# -- generating -----------------------------------------------------------------------------


def generate(count: int, seed: int, build: typing.Callable[[Chooser], Program]) -> list[Program]:
    """``count`` distinct programs from hypothesis' draws: one per generated example (half
    as many again are drawn: hypothesis repeats some simple examples), no shrinking, no
    example database, so the list depends only on ``seed`` and ``count``."""
    programs: dict[str, Program] = {}

    @hypothesis_seed(seed)
    @settings(
        max_examples=count + count // 2 + 1,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def collect(data: st.DataObject) -> None:
        p = build(Chooser(data.draw))
        if len(programs) < count:
            programs.setdefault(p.source, p)

    collect()
    assert len(programs) == count, f"only {len(programs)} distinct programs of {count}"
    return list(programs.values())


def generate_corpus(
    well_count: int, ill_count: int, seed: int
) -> tuple[list[Program], list[Program]]:
    """The well-typed programs, and the ill-typed ones: each violation gets its share."""
    well = generate(well_count, seed, well_typed)
    ill: list[Program] = []
    for k, violation in enumerate(VIOLATIONS):
        share = ill_count // len(VIOLATIONS) + (k < ill_count % len(VIOLATIONS))
        if share:
            ill += generate(share, seed + 1 + k, functools.partial(ill_typed, violation=violation))
    for i, p in enumerate(well):
        p.name = f"well_{i:04d}"
    for i, p in enumerate(ill):
        p.name = f"ill_{i:04d}"
    return well, ill


# -- mypy -----------------------------------------------------------------------------------

_OUTPUT = re.compile(r"^(?P<path>.+?\.py):(?P<line>\d+): (?P<severity>\w+): (?P<text>.*)$")
_REVEALED = re.compile(r'^Revealed type is "(?P<type>.*)"$')
_TENSOR = re.compile(
    r"^dfdx_py\.tensor\.Tensor\[(?P<shape>.*), "
    r"dfdx_py\.dtypes\.(?P<dtype>\w+(?:\[dfdx_py\.dtypes\.\w+\])?), (?P<device>[\w.]+)\]$"
)
"""A revealed tensor type; its dtype ``f32``, or ``AMP[dfdx_py.dtypes.bf16]`` (``AMP[bf16]``
once ``parse_revealed`` shortens it, as the runtime's ``__name__``)."""
_DIM = re.compile(r"^Literal\[(?P<n>\d+)\]\??$")
_SYMBOL = re.compile(r"^(?P<name>[A-Za-z_]\w*)(`-?\d+)?$")
DYN = "Dyn"
StaticDim = int | str  # a size, DYN, or a symbol's name


@dataclass
class Message:
    line: int
    severity: str
    text: str

    def __str__(self) -> str:
        return f"{self.line}: {self.severity}: {self.text}"


@dataclass
class StaticTensor:
    """A revealed tensor type: ``shape`` is None when it is not a tuple of dims."""

    shape: tuple[StaticDim, ...] | None
    dtype: str
    device: str
    text: str


def parse_revealed(text: str) -> StaticTensor | None:
    """``Tensor[tuple[Literal[2], builtins.int], f32, Cpu]`` -> ``(2, Dyn)``, f32, Cpu."""
    m = _TENSOR.match(text)
    if m is None:
        return None
    shape_text = m["shape"]
    device = m["device"].rpartition(".")[2]
    dtype = m["dtype"].replace("dfdx_py.dtypes.", "")
    if shape_text == "tuple[()]":
        return StaticTensor((), dtype, device, text)
    if not (shape_text.startswith("tuple[") and shape_text.endswith("]")):
        return StaticTensor(None, dtype, device, text)
    dims: list[StaticDim] = []
    for part in shape_text[len("tuple[") : -1].split(", "):
        lit = _DIM.match(part)
        if lit is not None:
            dims.append(int(lit["n"]))
        elif part in ("int", "builtins.int"):
            dims.append(DYN)
        elif (sym := _SYMBOL.match(part)) is not None:
            dims.append(sym["name"])
        else:
            return StaticTensor(None, dtype, device, text)
    return StaticTensor(tuple(dims), dtype, device, text)


@dataclass
class Corpus:
    """The generated programs, where they were written, and mypy's one run over them."""

    well: list[Program]
    ill: list[Program]
    folder: Path
    messages: dict[str, list[Message]]
    stdout: str
    stderr: str
    status: int

    def path(self, p: Program) -> Path:
        return self.folder / f"{p.name}.py"


@pytest.fixture(scope="session")
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    well_count, ill_count, seed = _options(request.config)
    well, ill = generate_corpus(well_count, ill_count, seed)
    folder = tmp_path_factory.mktemp("diff_programs")
    for p in well + ill:
        (folder / f"{p.name}.py").write_text(p.source)
    for issue in FIXED_ISSUES:
        (folder / f"known_{issue.name}.py").write_text(issue.source)
    cache = tmp_path_factory.mktemp("diff_mypy_cache")
    args = [
        "--config-file",
        str(CONFIG),
        "--cache-dir",
        str(cache),
        "--show-absolute-path",
        "--no-error-summary",
        "--no-pretty",
        "--show-traceback",
        str(folder),
    ]
    with contextlib.chdir(ROOT):
        stdout, stderr, status = api.run(args)
    messages: dict[str, list[Message]] = defaultdict(list)
    for raw in stdout.splitlines():
        m = _OUTPUT.match(raw)
        if m is not None:
            messages[Path(m["path"]).stem].append(Message(int(m["line"]), m["severity"], m["text"]))
    return Corpus(well, ill, folder, dict(messages), stdout, stderr, status)


# -- running --------------------------------------------------------------------------------


@dataclass
class Run:
    """What executing a program recorded: ``reveal_type``'s argument by line, and the
    exception that stopped it (with the program line it was raised on)."""

    revealed: dict[int, tuple[tuple[int, ...], str]]
    error: BaseException | None = None
    error_line: int | None = None


def run_program(p: Program, path: Path) -> Run:
    run = Run({})

    def record(value: Any) -> Any:
        line = sys._getframe(1).f_lineno
        run.revealed[line] = (tuple(value.shape), value.dtype.__name__)
        return value

    code = compile(p.source, str(path), "exec")
    module = types.ModuleType(p.name)
    with (
        mock.patch.object(typing, "reveal_type", record),
        np.errstate(all="ignore"),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        try:
            exec(code, module.__dict__)
        except Exception as exc:
            run.error = exc
            tb = exc.__traceback__
            while tb is not None:
                if tb.tb_frame.f_code.co_filename == str(path):
                    run.error_line = tb.tb_lineno
                tb = tb.tb_next
    return run


# -- comparing ------------------------------------------------------------------------------


def compare_dims(
    p: Program, static: tuple[StaticDim, ...], want: Reveal, shape: tuple[int, ...]
) -> list[str]:
    """Static dims vs runtime sizes (soundness), and vs the generator's tags (precision)."""
    shown = fmt(static)
    if len(static) != len(shape):
        return [f"static {shown} != runtime {shape}: rank"]
    problems: list[str] = []
    for axis, (s, r, tag) in enumerate(zip(static, shape, want.tags, strict=True)):
        if isinstance(s, int) and s != r:
            problems.append(f"static {shown} != runtime {shape}: axis {axis}")
        elif s not in (DYN, *p.symbols) and not isinstance(s, int):
            problems.append(f"static {shown}: unknown symbol {s} on axis {axis}")
        elif isinstance(s, str) and s in p.symbols and p.symbols[s] != r:
            problems.append(
                f"static {shown} != runtime {shape}: axis {axis}: {s} is {p.symbols[s]} here"
            )
        elif tag == LIT and not isinstance(s, int):
            problems.append(f"static {shown}: axis {axis} should be static (runtime {shape})")
        elif tag in p.symbols and s != tag:
            problems.append(f"static {shown}: axis {axis} should be {tag} (runtime {shape})")
    if not p.uses_dyn and not p.symbols and DYN in static and not problems:
        problems.append(f"static {shown} has a Dyn dim, runtime {shape}, and no Dyn was written")
    return problems


def compare_reveals(p: Program, messages: list[Message], run: Run) -> list[str]:
    """One line per disagreement between mypy, the run and the model, for each reveal."""
    problems: list[str] = []
    notes = {m.line: m.text for m in messages if m.severity == "note"}
    for line, want in sorted(p.reveals.items()):
        where = f"line {line} ({want.var})"
        if line not in run.revealed:
            problems.append(f"{where}: the run did not reach it")
            continue
        shape, dtype = run.revealed[line]
        if (shape, dtype) != (want.shape, want.dtype):
            problems.append(
                f"{where}: run {shape} {dtype} != generator's model {want.shape} {want.dtype}"
            )
        note = _REVEALED.match(notes.get(line, ""))
        if note is None:
            problems.append(f"{where}: mypy revealed nothing")
            continue
        static = parse_revealed(note["type"])
        if static is None or static.shape is None:
            problems.append(f"{where}: static type has no shape: {note['type']}")
            continue
        problems += [f"{where}: {x}" for x in compare_dims(p, static.shape, want, shape)]
        if static.dtype != dtype or static.device != "Cpu":
            problems.append(f"{where}: static {static.dtype} {static.device} != runtime {dtype}")
    return problems


def internal_errors(messages: list[Message]) -> list[str]:
    return [str(m) for m in messages if "dfdx_mypy: internal error" in m.text]


def report(p: Program, corpus: Corpus, messages: list[Message], problems: list[str]) -> str:
    shown = "\n".join(f"  {m}" for m in messages if not m.text.startswith("Revealed type"))
    return (
        f"{p.name} ({corpus.path(p)}):\n"
        + "\n".join(f"- {x}" for x in problems)
        + f"\nmypy's other messages:\n{shown or '  (none)'}\n\n{p.listing()}"
    )


# -- the tests ------------------------------------------------------------------------------


def test_mypy_never_crashes(corpus: Corpus) -> None:
    """One mypy run over every program: no crash, no traceback, no plugin internal error."""
    assert corpus.status in (0, 1), f"mypy exit {corpus.status}\n{corpus.stderr}\n{corpus.stdout}"
    assert not corpus.stderr.strip(), corpus.stderr
    for marker in ("INTERNAL ERROR", "Traceback", "dfdx_mypy: internal error"):
        assert marker not in corpus.stdout, corpus.stdout
    stray = [
        line
        for line in corpus.stdout.splitlines()
        if (m := _OUTPUT.match(line)) is None or Path(m["path"]).parent != corpus.folder
    ]
    assert not stray, "mypy output about something else than the programs:\n" + "\n".join(stray)


MATMUL_FORMS = ("k@kn", "mk@k", "mk@kn", "bmk@kn", "bmk@bkn", "bsmk@bskn")


def test_every_op_is_covered(corpus: Corpus) -> None:
    """The corpus exercises every op, matmul form and violation, and each flavour of
    program: Dyn dims, symbolic dims, empty tensors, i64, bool_ and half precision chains."""
    if len(corpus.well) < DEFAULT_PROGRAMS:
        pytest.skip(f"coverage is checked on corpora of {DEFAULT_PROGRAMS} programs or more")
    used = Counter(op for p in corpus.well + corpus.ill for op in p.ops)
    wanted = {op.name for op in OPS} - {"matmul", "compare/choose"} | {"compare", "choose"}
    wanted |= {f"matmul {f}" for f in MATMUL_FORMS} | {f"bad {v.name}" for v in VIOLATIONS}
    missing = sorted(w for w in wanted if used[w] == 0)
    assert not missing, f"not covered: {missing}; counts: {dict(used)}"
    flavours = {
        "Dyn dims": sum(p.uses_dyn for p in corpus.well),
        "symbolic dims": sum(bool(p.symbols) for p in corpus.well),
        "empty tensors": sum(any(0 in r.shape for r in p.reveals.values()) for p in corpus.well),
        "i64 chains": sum(
            any(r.dtype == "i64" and r.var[0] == "t" for r in p.reveals.values())
            for p in corpus.well
        ),
        "bool_ chains": sum(
            any(r.dtype == "bool_" and r.var[0] == "t" for r in p.reveals.values())
            for p in corpus.well
        ),
        "half precision chains": sum(
            any(r.dtype in HALVES and r.var[0] == "t" for r in p.reveals.values())
            for p in corpus.well
        ),
    }
    rare = {k: n for k, n in flavours.items() if n < len(corpus.well) // 50}
    assert not rare, f"too few programs with {rare} of {len(corpus.well)}"


def test_well_typed(corpus: Corpus, well_index: int) -> None:
    """No mypy error; every revealed static shape is the runtime shape."""
    p = corpus.well[well_index]
    messages = corpus.messages.get(p.name, [])
    problems = internal_errors(messages)
    problems += [f"unexpected mypy {m}" for m in messages if m.severity == "error"]
    run = run_program(p, corpus.path(p))
    if run.error is not None:
        problems.append(
            f"the run raised on line {run.error_line}: {type(run.error).__name__}: {run.error}"
        )
    problems += compare_reveals(p, messages, run)
    assert not problems, report(p, corpus, messages, problems)


def test_ill_typed(corpus: Corpus, ill_index: int) -> None:
    """Exactly one static error (``tensor-shape``, ``tensor-dtype``), on the bad line; the
    run raises there."""
    p = corpus.ill[ill_index]
    messages = corpus.messages.get(p.name, [])
    problems = internal_errors(messages)
    errors = [m for m in messages if m.severity == "error"]
    expected = [
        m
        for m in errors
        if m.line == p.error_line
        and m.text.startswith(f"{p.error_op}: ")
        and m.text.endswith(f"[{p.error_code}]")
    ]
    if len(expected) != 1 or len(errors) != 1:
        problems.append(
            f"expected one '{p.error_op}: ... [{p.error_code}]' error on line {p.error_line} "
            f"({p.violation}), got {[str(e) for e in errors]}"
        )
    run = run_program(p, corpus.path(p))
    if run.error is None:
        problems.append(f"the run did not raise ({p.violation})")
    elif type(run.error).__name__ != p.error_exc or run.error_line != p.error_line:
        problems.append(
            f"expected {p.error_exc} on line {p.error_line}, the run raised "
            f"{type(run.error).__name__} on line {run.error_line}: {run.error}"
        )
    elif p.error_op not in str(run.error):
        problems.append(f"the runtime message does not name {p.error_op!r}: {run.error}")
    problems += compare_reveals(p, messages, run)
    assert not problems, report(p, corpus, messages, problems)


# -- known disagreements --------------------------------------------------------------------


@dataclass(frozen=True)
class KnownIssue:
    """A disagreement the generator found, as a minimal program: the line marked
    ``# <- here`` should either get a ``tensor-shape`` error and raise ``ShapeError``, or
    neither. The generator avoids it (see its comments) until it is fixed."""

    name: str
    source: str
    reason: str

    @property
    def line(self) -> int:
        return next(
            i for i, text in enumerate(self.source.splitlines(), start=1) if "# <- here" in text
        )


_HEADER = "import dfdx_py as dfdx\nfrom dfdx_py import Cpu\n\ndev = Cpu(seed=0)\n"

FIXED_ISSUES = (
    KnownIssue(
        "upscale2d_from_an_empty_axis",
        _HEADER + "x = dev.zeros((1, 2, 0))\ny = dfdx.upscale2d(x, (2, 2))  # <- here\n",
        "upscale2d of an empty axis to a size > 0 once raised numpy's bare IndexError at run "
        "time and passed the plugin",
    ),
    KnownIssue(
        "max_over_an_empty_axis",
        _HEADER + "x = dev.zeros((0, 3))\ny = x.max(0)  # <- here\n",
        "max/min over an axis of static size 0 once passed the plugin",
    ),
)


@pytest.mark.parametrize("issue", FIXED_ISSUES, ids=[i.name for i in FIXED_ISSUES])
def test_fixed_issue(corpus: Corpus, issue: KnownIssue) -> None:
    """A disagreement this test once found: now a static error and a ShapeError, one line."""
    path = corpus.folder / f"known_{issue.name}.py"
    program = Program(f"known_{issue.name}", "known", source=issue.source)
    errors = [m for m in corpus.messages.get(program.name, []) if m.severity == "error"]
    static = [m for m in errors if m.line == issue.line and m.text.endswith("[tensor-shape]")]
    run = run_program(program, path)
    assert static and len(errors) == len(static), errors
    assert isinstance(run.error, ShapeError), f"{static}; the run: {run.error!r}"
    assert run.error_line == issue.line, run.error
