"""Run mypy with the dfdx_mypy plugin over ``typecheck_cases/`` and check every file.

- ``pass/``: no mypy message at all, and the file runs on the Cpu (``runpy``);
- ``fail/``: exactly the errors marked by ``# E: <substring>`` comments, on exactly the
  marked lines (several markers on one line expect several errors);
- ``reveal/``: no mypy message (they use ``typing.assert_type``, a mypy error when wrong).

mypy runs once per folder (a module-scoped fixture, one cache directory in a temp dir
shared by the three runs); each file is then one test. ``pytest tests/typecheck
--update-cases`` rewrites the ``# E:`` markers of the fail files from mypy's output.
"""

from __future__ import annotations

import contextlib
import re
import runpy
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "typecheck_cases"
CONFIG = CASES / "mypy.ini"

_OUTPUT = re.compile(r"^(?P<path>.+?\.py):(?P<line>\d+): (?P<severity>\w+): (?P<text>.*)$")
_MARKER = re.compile(r"\s*#\s*E:\s*")


@dataclass(frozen=True)
class Message:
    """One line of mypy's output about a case file."""

    line: int
    severity: str
    text: str  # the message with its ``[code]``

    def __str__(self) -> str:
        return f"{self.line}: {self.severity}: {self.text}"


class MypyRuns:
    """mypy's messages per case file, running mypy at most once per folder."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self._runs: dict[str, dict[Path, list[Message]]] = {}

    def messages(self, path: Path) -> list[Message]:
        folder = path.parent.name
        if folder not in self._runs:
            self._runs[folder] = self._run(CASES / folder)
        return self._runs[folder].get(path.resolve(), [])

    def _run(self, folder: Path) -> dict[Path, list[Message]]:
        args = [
            "--config-file",
            str(CONFIG),
            "--cache-dir",
            str(self.cache_dir),
            "--show-absolute-path",
            "--no-error-summary",
            "--no-pretty",
            str(folder),
        ]
        with contextlib.chdir(ROOT):
            stdout, stderr, status = api.run(args)
        if status not in (0, 1) or stderr.strip():
            pytest.fail(f"mypy failed on {folder} (exit {status}):\n{stderr}\n{stdout}")
        found: dict[Path, list[Message]] = defaultdict(list)
        for raw in stdout.splitlines():
            m = _OUTPUT.match(raw)
            if m is None:
                continue
            path = Path(m["path"]).resolve()
            if path.parent == folder.resolve():
                found[path].append(Message(int(m["line"]), m["severity"], m["text"]))
        return found


@pytest.fixture(scope="module")
def mypy_runs(tmp_path_factory: pytest.TempPathFactory) -> MypyRuns:
    return MypyRuns(tmp_path_factory.mktemp("mypy_cache"))


def _cases(folder: str) -> list[Path]:
    return sorted((CASES / folder).glob("*.py"))


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def expected_errors(path: Path) -> dict[int, list[str]]:
    """The ``# E:`` substrings of a fail file, by line number."""
    expected: dict[int, list[str]] = {}
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        parts = _MARKER.split(text)
        if len(parts) > 1:
            expected[number] = [p.strip() for p in parts[1:]]
    return expected


def mismatches(expected: dict[int, list[str]], errors: list[Message]) -> list[str]:
    """What differs between the markers and mypy's errors, one line per problem."""
    actual: dict[int, list[str]] = defaultdict(list)
    for e in errors:
        actual[e.line].append(e.text)
    problems: list[str] = []
    for line in sorted(set(expected) | set(actual)):
        left = list(actual.get(line, []))
        for want in expected.get(line, []):
            match = next((a for a in left if want in a), None)
            if match is None:
                problems.append(f"line {line}: expected an error containing {want!r}")
            else:
                left.remove(match)
        problems.extend(f"line {line}: unexpected error: {a}" for a in left)
    return problems


def rewrite_markers(path: Path, errors: list[Message]) -> None:
    """Replace the ``# E:`` markers of ``path`` with mypy's actual errors."""
    by_line: dict[int, list[str]] = defaultdict(list)
    for e in errors:
        by_line[e.line].append(e.text)
    lines = path.read_text().splitlines()
    for number, text in enumerate(lines, start=1):
        code = _MARKER.split(text)[0].rstrip()
        if number in by_line:
            code += "".join(f"  # E: {m}" for m in by_line[number])
        lines[number - 1] = code
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("path", _cases("fail"), ids=_ids(_cases("fail")))
def test_fail(path: Path, mypy_runs: MypyRuns, request: pytest.FixtureRequest) -> None:
    errors = [m for m in mypy_runs.messages(path) if m.severity == "error"]
    if request.config.getoption("--update-cases", default=False):
        rewrite_markers(path, errors)
        return
    expected = expected_errors(path)
    assert expected, f"{path.name} marks no expected error"
    problems = mismatches(expected, errors)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", _cases("reveal"), ids=_ids(_cases("reveal")))
def test_reveal(path: Path, mypy_runs: MypyRuns) -> None:
    messages = mypy_runs.messages(path)
    assert not messages, f"{path.name}:\n" + "\n".join(map(str, messages))


@pytest.mark.parametrize("path", _cases("pass"), ids=_ids(_cases("pass")))
def test_pass_typechecks(path: Path, mypy_runs: MypyRuns) -> None:
    messages = mypy_runs.messages(path)
    assert not messages, f"{path.name}:\n" + "\n".join(map(str, messages))


@pytest.mark.parametrize("path", _cases("pass"), ids=_ids(_cases("pass")))
def test_pass_runs(path: Path) -> None:
    runpy.run_path(str(path), run_name="__main__")
