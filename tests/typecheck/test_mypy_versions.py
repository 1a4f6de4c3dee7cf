"""The supported mypy versions: the range of the ``dev`` extra, tested at both ends.

- the newest (the range's upper bound) is what the rest of the suite runs: the installed mypy
  must be exactly that version;
- the oldest (the lower bound) is installed here with pip into a temporary ``--target``
  folder, put first on ``PYTHONPATH``, and the typecheck cases run with it in a subprocess.

mypy 1.11 is the oldest: from it on, mypy records the function a type variable belongs to
(``TypeVarId.namespace``), from which the plugin's messages say where a symbol was bound
("(B bound in f)"). mypy 1.7.1, 1.8, 1.9 and 1.10.1 pass every case but that message; 1.5.1
and older lack ``mypy.typeops.get_all_type_vars`` and cannot load the plugin.

The install needs the package registry (CI has it): when pip cannot reach it the test fails
and says so, it never skips.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from mypy.version import __version__ as installed_mypy

ROOT = Path(__file__).resolve().parents[2]


def mypy_range() -> tuple[str, str]:
    """The ``mypy>=OLDEST,<=NEWEST`` bounds of pyproject's ``dev`` extra."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        dev = tomllib.load(f)["project"]["optional-dependencies"]["dev"]
    specs = [d for d in dev if re.match(r"mypy\s*[<>=]", d)]
    assert len(specs) == 1, f"the dev extra names mypy once: {dev}"
    m = re.fullmatch(r"mypy\s*>=\s*([\w.]+)\s*,\s*<=\s*([\w.]+)", specs[0].replace(" ", ""))
    assert m is not None, f"mypy's requirement is 'mypy>=OLDEST,<=NEWEST', got {specs[0]!r}"
    return m[1], m[2]


def test_the_suite_runs_the_newest_supported_mypy() -> None:
    _, newest = mypy_range()
    assert installed_mypy.split("+")[0] == newest, (
        f"the suite runs mypy {installed_mypy}, the dev extra's newest is {newest}: "
        "reinstall with pip install -e '.[dev]'"
    )


@pytest.mark.slow
def test_the_typecheck_cases_pass_on_the_oldest_supported_mypy(tmp_path: Path) -> None:
    oldest, _ = mypy_range()
    target = tmp_path / "mypy"
    # --no-deps: mypy's own dependencies (typing_extensions, mypy_extensions) come from this
    # environment, whose newer mypy needs newer ones, so that only mypy changes.
    pip = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            "--no-deps",
            "--only-binary=:all:",
            "--target",
            str(target),
            f"mypy=={oldest}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if pip.returncode != 0:
        pytest.fail(
            f"could not install mypy=={oldest} with pip (this test needs the package "
            f"registry):\n{pip.stdout}\n{pip.stderr}"
        )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, (str(target), os.environ.get("PYTHONPATH")))),
    }
    probe = subprocess.run(
        [sys.executable, "-c", "import mypy.version; print(mypy.version.__version__)"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.stdout.strip() == oldest, probe.stdout + probe.stderr
    cases = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/typecheck/test_cases.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert cases.returncode == 0, f"typecheck cases on mypy {oldest}:\n{cases.stdout[-6000:]}"
