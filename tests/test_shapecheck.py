"""``dfdx-shapecheck``: the CI gate, run in-process and as the installed console script on
small temporary projects.

mypy finds ``dfdx_py`` through ``MYPYPATH`` here: the development install is an editable one,
whose import hook mypy cannot follow from outside the repository. Every run starts from a
copy of a cache holding only the library (dfdx_py, numpy, the standard library), analysed once
per set of options (``check(..., cache=...)``): the user configurations below all add the
same flag, ``disallow_untyped_defs``. A copy, not a shared cache: mypy trusts a cached module
whose file has the same size and mtime, which the ``model.py`` of two tests can have.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from dfdx_mypy import __version__, shapecheck
from mypy.config_parser import parse_config_file
from mypy.options import Options

ROOT = Path(__file__).resolve().parents[1]

CLEAN = """\
from dfdx_py import Cpu

dev = Cpu(seed=0)
x = dev.zeros((2, 3))
y = dev.zeros((3, 4))
z = x @ y
"""

SHAPE_ERROR = """\
from dfdx_py import Cpu

dev = Cpu(seed=0)
x = dev.zeros((2, 3))
y = dev.zeros((4, 5))
z = x @ y
"""
SHAPE_MESSAGE = "matmul: inner dims differ: (2, 3) @ (4, 5): 3 != 4"

OTHER_ERROR = """\
from dfdx_py import Cpu

dev = Cpu(seed=0)
x = dev.zeros((2, 3))
n: int = "three"
"""

UNTYPED = """\
def f(x):
    return x
"""

# A user configuration with settings of its own (a strictness flag, a per-module section)
# and a .py plugin and a stub folder given relative to the configuration's folder.
LOCAL_PLUGIN = """\
from mypy.plugin import Plugin


def plugin(version: str) -> type[Plugin]:
    return Plugin
"""


_OPTION_SETS: dict[str, str | None] = {
    "default": None,  # no configuration file
    "untyped-defs": "[mypy]\ndisallow_untyped_defs = True\n",
}
"""The sets of options whose library caches are analysed once: a configuration of each."""


class Caches:
    """Fresh copies of warm library caches, one warm cache per set of options."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.copies = itertools.count()

    def fresh(self, name: str | None) -> Path:
        """A new cache folder: a copy of the warm cache ``name``, or empty for ``None``."""
        copy = self.root / f"copy-{next(self.copies)}"
        if name is None:
            return copy
        warm = self.root / name
        if not warm.exists():
            self._warm(name, warm)
        shutil.copytree(warm, copy)
        return copy

    def _warm(self, name: str, warm: Path) -> None:
        scratch = self.root / f"warm-{name}"
        scratch.mkdir()
        config = _OPTION_SETS[name]
        if config is not None:
            (scratch / "mypy.ini").write_text(config)
        (scratch / "warmup.py").write_text("import dfdx_py\nimport dfdx_py.ops\n")
        saved = os.environ.get("MYPY_CACHE_DIR")
        os.environ["MYPY_CACHE_DIR"] = str(warm)
        try:
            with contextlib.chdir(scratch):
                status = shapecheck.main(["warmup.py"], stdout=io.StringIO())
        finally:
            os.environ.pop("MYPY_CACHE_DIR")
            if saved is not None:
                os.environ["MYPY_CACHE_DIR"] = saved
        assert status == 0, f"warming the {name} cache failed"


@pytest.fixture(scope="module")
def caches(tmp_path_factory: pytest.TempPathFactory) -> Caches:
    return Caches(tmp_path_factory.mktemp("shapecheck_caches"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder, made the current directory, where mypy finds dfdx_py."""
    (tmp_path / "proj").mkdir()
    monkeypatch.chdir(tmp_path / "proj")
    monkeypatch.setenv("MYPYPATH", str(ROOT))
    monkeypatch.setenv("MYPY_CACHE_DIR", str(tmp_path / "cache"))  # restored after the test
    return tmp_path / "proj"


Check = Callable[..., tuple[int, str]]


@pytest.fixture
def check(project: Path, caches: Caches) -> Check:
    """``dfdx-shapecheck ARGS`` in-process, in ``project``: its exit status and output.
    ``cache``: the set of options whose warm library cache the run starts from (``None``:
    a cold run)."""

    def run(*args: str, cache: str | None = "default") -> tuple[int, str]:
        os.environ["MYPY_CACHE_DIR"] = str(caches.fresh(cache))
        out = io.StringIO()
        status = shapecheck.main(list(args), stdout=out)
        return status, out.getvalue()

    return run


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


# -- in-process ------------------------------------------------------------------------------


def test_a_clean_file_passes(project: Path, check: Check) -> None:
    write(project, {"model.py": CLEAN})
    status, out = check("model.py")
    assert status == 0, out
    assert "dfdx-shapecheck: no errors" in out


def test_a_shape_error_fails_and_is_printed(project: Path, check: Check) -> None:
    write(project, {"model.py": SHAPE_ERROR})
    status, out = check("model.py")
    assert status == 1, out
    assert f"model.py:6:5: error: {SHAPE_MESSAGE}  [tensor-shape]" in out
    assert "1 error (1 shape, dtype or device) in 1 file" in out


def test_github_format_prints_annotations(project: Path, check: Check) -> None:
    write(project, {"model.py": SHAPE_ERROR})
    status, out = check("--format", "github", "model.py")
    assert status == 1, out
    lines = [line for line in out.splitlines() if line.startswith("::")]
    assert len(lines) == 1, out
    annotation = re.compile(
        r"^::error file=model\.py,line=6,col=5(,endLine=\d+,endColumn=\d+)?,"
        r"title=mypy \[tensor-shape\]::(?P<message>.*)$"
    )
    m = annotation.match(lines[0])
    assert m is not None, lines[0]
    assert m["message"] == SHAPE_MESSAGE


def test_a_user_pyproject_without_the_plugin_still_gets_shape_errors(
    project: Path, check: Check
) -> None:
    pyproject = '[project]\nname = "user"\n\n[tool.mypy]\ndisallow_untyped_defs = true\n'
    write(project, {"pyproject.toml": pyproject, "model.py": SHAPE_ERROR})
    status, out = check("model.py", cache="untyped-defs")
    assert status == 1, out
    assert "[tensor-shape]" in out


def test_a_user_mypy_ini_without_the_plugin_still_gets_shape_errors(
    project: Path, check: Check
) -> None:
    ini = "[mypy]\ndisallow_untyped_defs = True\n"
    write(project, {"mypy.ini": ini, "model.py": SHAPE_ERROR})
    status, out = check("model.py", cache="untyped-defs")
    assert status == 1, out
    assert "[tensor-shape]" in out


def test_a_setup_cfg_without_the_plugin_still_gets_shape_errors(
    project: Path, check: Check
) -> None:
    setup_cfg = "[metadata]\nname = user\n\n[mypy]\ndisallow_untyped_defs = True\n"
    write(project, {"setup.cfg": setup_cfg, "model.py": SHAPE_ERROR})
    status, out = check("model.py", cache="untyped-defs")
    assert status == 1, out
    assert "[tensor-shape]" in out


def test_the_user_pyproject_settings_still_apply(project: Path, check: Check) -> None:
    """Their flags, their per-module overrides, their other plugins, their mypy_path."""
    pyproject = """\
[tool.mypy]
disallow_untyped_defs = true
plugins = ["local_plugin.py"]
mypy_path = "$MYPY_CONFIG_FILE_DIR/stubs"

[[tool.mypy.overrides]]
module = "legacy"
disallow_untyped_defs = false
"""
    write(
        project,
        {
            "pyproject.toml": pyproject,
            "local_plugin.py": LOCAL_PLUGIN,
            "stubs/vendored.pyi": "def size() -> int: ...\n",
            "model.py": "from vendored import size\n\n" + SHAPE_ERROR + UNTYPED,
            "legacy.py": UNTYPED,
        },
    )
    status, out = check("model.py", "legacy.py", cache=None)
    assert status == 1, out
    assert "model.py:6:5: error" not in out  # the import moved the matmul two lines down
    assert f"model.py:8:5: error: {SHAPE_MESSAGE}" in out
    assert "model.py:9:1: error: Function is missing a type annotation" in out
    assert "legacy.py" not in out  # the override applies
    assert "import-not-found" not in out  # mypy_path was resolved against the project
    assert "2 errors (1 shape, dtype or device) in 1 file" in out


def test_the_user_mypy_ini_settings_still_apply(project: Path, check: Check) -> None:
    ini = """\
[mypy]
disallow_untyped_defs = True
plugins = local_plugin.py
mypy_path = $MYPY_CONFIG_FILE_DIR/stubs

[mypy-legacy]
disallow_untyped_defs = False
"""
    write(
        project,
        {
            "mypy.ini": ini,
            "local_plugin.py": LOCAL_PLUGIN,
            "stubs/vendored.pyi": "def size() -> int: ...\n",
            "model.py": "from vendored import size\n\n" + SHAPE_ERROR + UNTYPED,
            "legacy.py": UNTYPED,
        },
    )
    status, out = check("model.py", "legacy.py", cache=None)
    assert status == 1, out
    assert f"model.py:8:5: error: {SHAPE_MESSAGE}" in out
    assert "model.py:9:1: error: Function is missing a type annotation" in out
    assert "legacy.py" not in out
    assert "import-not-found" not in out


def test_a_config_with_the_plugin_and_a_dfdx_py_section_is_used_as_it_is(
    project: Path, check: Check
) -> None:
    ini = "[mypy]\nplugins = dfdx_mypy\n\n[mypy-dfdx_py.*]\nfollow_imports = silent\n"
    write(project, {"mypy.ini": ini, "model.py": SHAPE_ERROR})
    assert shapecheck.plugin_config(Path("mypy.ini"), project).path == Path("mypy.ini")
    status, out = check("model.py")
    assert status == 1, out
    assert "[tensor-shape]" in out


@pytest.mark.parametrize("name", ["mypy.ini", "pyproject.toml"])
def test_the_copy_adds_the_plugin_and_silences_dfdx_py(tmp_path: Path, name: str) -> None:
    """Errors inside dfdx_py itself are not the user's: the copy imports it silently, unless
    the user's configuration has a section of its own for dfdx_py."""
    user = tmp_path / name
    if name == "mypy.ini":
        user.write_text(
            "[mypy]\nplugins = other.py:entry\n\n[mypy-numpy.*]\nignore_errors = True\n"
        )
    else:
        user.write_text('[tool.mypy]\nplugins = "other.py:entry"\n')
    (tmp_path / "out").mkdir()
    copy = shapecheck.plugin_config(user, tmp_path / "out")
    options = _options(copy.path)
    assert options.plugins == [f"{tmp_path}/other.py:entry", "dfdx_mypy"]
    assert options.per_module_options["dfdx_py.*"]["follow_imports"] == "silent"
    if name == "mypy.ini":
        assert options.per_module_options["numpy.*"]["ignore_errors"] is True

    ini = "[mypy]\nplugins = dfdx_mypy\n\n[mypy-dfdx_py.nn]\nfollow_imports = normal\n"
    user.with_name("own.ini").write_text(ini)
    copy = shapecheck.plugin_config(user.with_name("own.ini"), tmp_path)
    assert copy.path == user.with_name("own.ini")  # nothing to add: used as it is


def _options(config: Path) -> Options:
    """The options mypy reads from ``config``."""
    options = Options()
    parse_config_file(options, lambda: None, str(config), io.StringIO(), io.StringIO())
    return options


def test_an_explicit_config_file(project: Path, check: Check) -> None:
    ini = "[mypy]\ndisallow_untyped_defs = True\n"
    write(project, {"ci/typed.ini": ini, "model.py": CLEAN + UNTYPED})
    status, out = check("--config-file", "ci/typed.ini", "model.py", cache="untyped-defs")
    assert status == 1, out
    assert "[no-untyped-def]" in out
    status, out = check("--config-file", "ci/missing.ini", "model.py")
    assert status == 2, out
    assert "cannot find config file" in out


def test_other_mypy_errors_fail_the_gate_by_default(project: Path, check: Check) -> None:
    write(project, {"model.py": OTHER_ERROR})
    status, out = check("model.py")
    assert status == 1, out
    assert "model.py:5:10: error: Incompatible types in assignment" in out
    assert "1 error (0 shape, dtype or device) in 1 file" in out


def test_only_shapes_ignores_other_mypy_errors(project: Path, check: Check) -> None:
    write(project, {"model.py": OTHER_ERROR, "net.py": SHAPE_ERROR})
    status, out = check("--only-shapes", "model.py")
    assert status == 0, out
    assert "Incompatible types" not in out
    assert "1 other mypy error ignored (--only-shapes)" in out
    status, out = check("--only-shapes", "model.py", "net.py")
    assert status == 1, out
    assert f"net.py:6:5: error: {SHAPE_MESSAGE}" in out
    assert "Incompatible types" not in out


def test_paths_default_to_the_config_files_else_the_current_folder(
    project: Path, check: Check
) -> None:
    write(project, {"pkg/model.py": SHAPE_ERROR})
    status, out = check()
    assert status == 1, out
    assert "pkg/model.py:6:5: error" in out
    write(project, {"mypy.ini": "[mypy]\nfiles = pkg/clean.py\n", "pkg/clean.py": CLEAN})
    status, out = check()
    assert status == 0, out


def test_mypy_arguments_after_a_double_dash(project: Path, check: Check) -> None:
    write(project, {"model.py": CLEAN + UNTYPED})
    assert check("model.py")[0] == 0
    status, out = check("model.py", "--", "--disallow-untyped-defs", cache="untyped-defs")
    assert status == 1, out
    assert "[no-untyped-def]" in out


def test_a_syntax_error_means_mypy_could_not_check(project: Path, check: Check) -> None:
    write(project, {"model.py": "def broken(:\n"})
    status, out = check("model.py")
    assert status == 2, out
    assert "[syntax]" in out


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        shapecheck.main(["--version"])
    assert exit_info.value.code == 0
    assert f"dfdx-shapecheck {__version__}" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        shapecheck.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "--format {text,github}" in text
    assert "--only-shapes" in text


# -- pieces, without mypy --------------------------------------------------------------------


def test_toml_values_round_trip() -> None:
    table = {
        "plugins": ["a.py", "dfdx_mypy"],
        "strict": True,
        "warn_unused_ignores": False,
        "python_version": "3.11",
        "cache_fine_grained": 0,
        "exclude": ["^build/", 'quote" back\\slash tab\t é \x7f'],
        "overrides": [{"module": ["a.*", "b"], "ignore_errors": True}],
        "weird key": 1.5,
    }
    text = "\n".join(
        f"{shapecheck._toml_key(k)} = {shapecheck.toml_value(v)}" for k, v in table.items()
    )
    assert tomllib.loads(text) == table


def test_relative_python_plugins_are_rebased() -> None:
    folder = Path("/work/project")
    assert shapecheck._rebase_plugin("p.py", folder) == "/work/project/p.py"
    assert shapecheck._rebase_plugin("tools/p.py:entry", folder) == "/work/project/tools/p.py:entry"
    assert shapecheck._rebase_plugin("/abs/p.py", folder) == "/abs/p.py"
    assert shapecheck._rebase_plugin("pydantic.mypy", folder) == "pydantic.mypy"


def test_parse_output_reads_json_and_text_lines() -> None:
    lines = [
        json.dumps(
            {
                "file": "m.py",
                "line": 3,
                "column": 4,
                "message": 'Cannot find implementation or library stub for module named "dfdx_py"',
                "hint": "See https://mypy.readthedocs.io",
                "code": "import-not-found",
                "severity": "error",
            }
        ),
        "m.py:7: error: invalid syntax  [syntax]",
        "m.py:7: note: a note about it",
        "Found 1 error in 1 file (errors prevented further checking)",
    ]
    messages, other = shapecheck.parse_output("\n".join(lines))
    assert [(m.line, m.column, m.code) for m in messages] == [
        (3, 5, "import-not-found"),
        (7, 0, "syntax"),
    ]
    assert messages[0].hides_shapes  # --only-shapes still fails on it
    assert messages[1].hint == "a note about it"
    assert other == [lines[-1]]
    assert messages[0].github().startswith("::error file=m.py,line=3,col=5,title=mypy ")
    assert "%0ASee https%3A" not in messages[0].github()  # ':' escaped in properties only
    assert messages[0].github().endswith('"dfdx_py"%0ASee https://mypy.readthedocs.io')


# -- the console script ----------------------------------------------------------------------


def _script() -> Path:
    name = "dfdx-shapecheck.exe" if sys.platform == "win32" else "dfdx-shapecheck"
    path = Path(sysconfig.get_path("scripts")) / name
    if not path.exists():
        pytest.fail(f"{path} is missing: reinstall with pip install -e '.[dev]'")
    return path


def test_the_console_script_is_declared() -> None:
    with (ROOT / "pyproject.toml").open("rb") as f:
        scripts = tomllib.load(f)["project"]["scripts"]
    assert scripts["dfdx-shapecheck"] == "dfdx_mypy.shapecheck:main"


@pytest.mark.parametrize(
    ("source", "status"), [(CLEAN, 0), (SHAPE_ERROR, 1)], ids=["clean", "shape-error"]
)
def test_the_console_script(project: Path, caches: Caches, source: str, status: int) -> None:
    pyproject = "[tool.mypy]\ndisallow_untyped_defs = true\n"
    write(project, {"pyproject.toml": pyproject, "model.py": source})
    result = subprocess.run(
        [str(_script()), "--format", "github", "model.py"],
        env={**os.environ, "MYPY_CACHE_DIR": str(caches.fresh("untyped-defs"))},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == status, result.stdout + result.stderr
    if status:
        assert "::error file=model.py,line=6,col=5," in result.stdout
        assert f"title=mypy [tensor-shape]::{SHAPE_MESSAGE}" in result.stdout
    else:
        assert "::error" not in result.stdout


# -- the pre-commit hook ---------------------------------------------------------------------

_MANIFEST_KEYS = frozenset(
    [
        "id",
        "name",
        "entry",
        "language",
        "alias",
        "files",
        "exclude",
        "types",
        "types_or",
        "exclude_types",
        "additional_dependencies",
        "args",
        "always_run",
        "fail_fast",
        "pass_filenames",
        "description",
        "language_version",
        "log_file",
        "minimum_pre_commit_version",
        "require_serial",
        "stages",
        "verbose",
    ]
)
"""The keys pre-commit accepts in a hook of ``.pre-commit-hooks.yaml``."""


def test_the_pre_commit_hook_runs_the_console_script() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(hooks, list)
    (hook,) = (h for h in hooks if h["id"] == "dfdx-shapecheck")
    assert set(hook) <= _MANIFEST_KEYS, set(hook) - _MANIFEST_KEYS
    assert {"id", "name", "entry", "language"} <= set(hook)
    with (ROOT / "pyproject.toml").open("rb") as f:
        project = tomllib.load(f)["project"]
    assert hook["entry"] in project["scripts"]
    assert hook["language"] == "python"
    assert hook["types"] == ["python"]
    assert hook["pass_filenames"] is False  # the whole project: see the file's comment
    mypy_spec = next(d for d in project["optional-dependencies"]["dev"] if d.startswith("mypy"))
    assert hook["additional_dependencies"] == [mypy_spec.split("#")[0].strip()]
