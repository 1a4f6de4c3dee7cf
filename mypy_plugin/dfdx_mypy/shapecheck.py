"""``dfdx-shapecheck PATHS...``: mypy with the dfdx_mypy plugin, as a CI gate.

The plugin is enabled whatever the user's mypy configuration says. The configuration mypy
would read (``--config-file``, else mypy's own search: ``mypy.ini``, ``.mypy.ini``,
``pyproject.toml``, ``setup.cfg``, the user-level files) is copied into a temporary file with
``dfdx_mypy`` appended to its ``plugins``, and mypy runs on that copy, so every other setting
(strictness, per-module sections, ``files``, other plugins) still applies. mypy has no
command-line flag for plugins, hence the copy. Two things in a configuration are relative to
its own folder, and the copy resolves them against the original one: plugin paths ending in
``.py`` and ``$MYPY_CONFIG_FILE_DIR``. Unless the configuration says otherwise about
``dfdx_py``, the copy also imports it with ``follow_imports = silent``: its own code is not
the user's to fix (as when it is installed in site-packages, which mypy silences anyway, but
also from a checkout on ``MYPYPATH``; files given on the command line are always reported).

The gate (exit status):

- ``0``: no error;
- ``1``: errors. By default EVERY mypy error fails the gate: a missing import or an untyped
  function turns tensors into ``Any``, and a shape error there goes unseen, so a clean shape
  check needs clean types. ``--only-shapes`` reports and counts only the ``tensor-shape``,
  ``tensor-dtype`` and ``tensor-device`` errors (and a ``dfdx_py`` that mypy cannot find,
  which silently switches every shape check off), for code bases that are not mypy-clean;
- ``2``: mypy could not check (a syntax error, a bad option or configuration).

``--format github`` prints one GitHub Actions annotation per message
(``::error file=...,line=...,col=...,title=...::message``) instead of mypy-style lines.
Arguments after ``--`` go to mypy unchanged (``dfdx-shapecheck src -- --python-version 3.12``).
"""

from __future__ import annotations

import argparse
import configparser
import dataclasses
import io
import json
import os
import re
import sys
import tempfile
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

PLUGIN = "dfdx_mypy"
LIBRARY = "dfdx_py"
_MINIMAL = f"[mypy]\nplugins = {PLUGIN}\n\n[mypy-{LIBRARY}.*]\nfollow_imports = silent\n"
SHAPE_CODES = frozenset(("tensor-shape", "tensor-dtype", "tensor-device"))
"""The error codes of the plugin: what ``--only-shapes`` keeps."""

_IMPORT_CODES = frozenset(("import", "import-not-found", "import-untyped"))
_TARGET_FLAGS = ("-m", "--module", "-p", "--package", "-c", "--command")
_CONFIG_DIR_VARS = ("${MYPY_CONFIG_FILE_DIR}", "$MYPY_CONFIG_FILE_DIR")
_TEXT_LINE = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?:(?P<column>\d+):)? (?P<severity>error|warning|note): "
    r"(?P<message>.*?)(?:  \[(?P<code>[a-z0-9-]+)\])?$"
)
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


# -- the configuration -----------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """The configuration mypy runs with."""

    path: Path
    has_files: bool  # whether it names the files to check (``files = ...``)


def find_user_config(explicit: str | None = None) -> Path | None:
    """The configuration file mypy would read here, by mypy's own search; ``None`` if none."""
    if explicit is not None:
        if not os.path.isfile(explicit):
            raise FileNotFoundError(f"cannot find config file {explicit!r}")
        return Path(explicit)
    from mypy.config_parser import parse_config_file
    from mypy.options import Options

    options = Options()
    saved = os.environ.get("MYPY_CONFIG_FILE_DIR")
    try:  # mypy's own search, so every mypy version finds what it would find itself
        parse_config_file(options, lambda: None, None, io.StringIO(), io.StringIO())
    finally:
        if saved is None:
            os.environ.pop("MYPY_CONFIG_FILE_DIR", None)
        else:
            os.environ["MYPY_CONFIG_FILE_DIR"] = saved
    return Path(options.config_file) if options.config_file else None


def _split(value: Any) -> list[str]:
    """A ``plugins`` value (a comma-separated string or a list) as a list of names."""
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def _has_plugin(plugins: Iterable[str]) -> bool:
    return any(p.split(":", 1)[0] == PLUGIN for p in plugins)


def _rebase_plugin(entry: str, folder: Path) -> str:
    """A plugin given as a relative ``.py`` path, made absolute (mypy joins it to the
    folder of the configuration file, which the copy no longer lives in)."""
    path, sep, func = entry.rpartition(":") if ":" in Path(entry).name else (entry, "", "")
    if path.endswith(".py") and not os.path.isabs(path):
        path = str(folder / path)
    return path + sep + func


def _rebase(value: Any, folder: Path) -> Any:
    """``value`` with ``$MYPY_CONFIG_FILE_DIR`` replaced by the original folder."""
    if isinstance(value, str):
        for var in _CONFIG_DIR_VARS:
            value = value.replace(var, str(folder))
        return value
    if isinstance(value, list):
        return [_rebase(v, folder) for v in value]
    if isinstance(value, dict):
        return {k: _rebase(v, folder) for k, v in value.items()}
    return value


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def toml_value(value: Any) -> str:
    """``value`` (what ``tomllib`` reads from a mypy table) written as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):  # a JSON string is a TOML basic string, but for U+007F
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{_toml_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as TOML")


def _names_dfdx_py(patterns: Iterable[str]) -> bool:
    """Whether some per-module pattern is about ``dfdx_py`` (the user's choice wins)."""
    return any(p.strip() == LIBRARY or p.strip().startswith(f"{LIBRARY}.") for p in patterns)


def _toml_config(user: Path) -> tuple[str | None, bool]:
    """The TOML text of ``user``'s ``[tool.mypy]`` with the plugin and ``dfdx_py``'s
    silence (``None``: it has both)."""
    with user.open("rb") as f:
        table = tomllib.load(f).get("tool", {}).get("mypy", {})
    plugins = _split(table.get("plugins", []))
    overrides = table.get("overrides", [])
    modules = (m for o in overrides for m in _split(o.get("module", [])))
    has_files = bool(table.get("files"))
    needs_silence = not _names_dfdx_py(modules)
    if _has_plugin(plugins) and not needs_silence:
        return None, has_files
    folder = user.resolve().parent
    table = _rebase(table, folder)
    rebased = [_rebase_plugin(p, folder) for p in _split(table.get("plugins", []))]
    table["plugins"] = rebased if _has_plugin(plugins) else [*rebased, PLUGIN]
    if needs_silence:
        silent = {"module": f"{LIBRARY}.*", "follow_imports": "silent"}
        table["overrides"] = [*table.get("overrides", []), silent]
    lines = ["[tool.mypy]"]
    lines += [f"{_toml_key(k)} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n", has_files


def _ini_config(user: Path) -> tuple[str | None, bool]:
    """The INI text of ``user``'s mypy sections with the plugin and ``dfdx_py``'s silence
    (``None``: it has both)."""
    parser = configparser.RawConfigParser()  # what mypy reads INI files with
    parser.read(user)
    main = dict(parser.items("mypy")) if parser.has_section("mypy") else {}
    plugins = _split(main.get("plugins", ""))
    sections = [n for n in parser.sections() if n == "mypy" or n.startswith("mypy-")]
    has_files = bool(main.get("files", "").strip())
    needs_silence = not _names_dfdx_py(p for n in sections for p in n[5:].split(","))
    if _has_plugin(plugins) and not needs_silence:
        return None, has_files
    folder = user.resolve().parent
    out = configparser.RawConfigParser()
    out.add_section("mypy")
    for name in sections:
        if not out.has_section(name):
            out.add_section(name)
        for key, value in parser.items(name):
            out.set(name, key, _rebase(value, folder))
    rebased = [_rebase_plugin(_rebase(p, folder), folder) for p in plugins]
    out.set("mypy", "plugins", ", ".join(rebased if _has_plugin(plugins) else [*rebased, PLUGIN]))
    if needs_silence:
        out.add_section(f"mypy-{LIBRARY}.*")
        out.set(f"mypy-{LIBRARY}.*", "follow_imports", "silent")
    text = io.StringIO()
    out.write(text)
    return text.getvalue(), has_files


def plugin_config(user: Path | None, folder: Path) -> Config:
    """A configuration adding the plugin and ``dfdx_py``'s silence to ``user`` (written
    into ``folder``, unless ``user`` has both already)."""
    if user is None:
        text: str | None = _MINIMAL
        has_files = False
        name = "mypy.ini"
    elif user.suffix.lower() == ".toml":
        text, has_files = _toml_config(user)
        name = "pyproject.toml"
    else:
        text, has_files = _ini_config(user)
        name = "mypy.ini"
    if text is None:
        assert user is not None
        return Config(user, has_files)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return Config(path, has_files)


# -- mypy's messages -------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One mypy message (an error, a warning or a standalone note)."""

    file: str
    line: int
    column: int  # 1-based; 0 when mypy gives none
    severity: str  # "error", "warning" or "note"
    message: str
    code: str | None = None
    hint: str | None = None  # the notes mypy attaches to the message
    end_line: int | None = None
    end_column: int | None = None

    @property
    def is_shape(self) -> bool:
        """A ``tensor-shape``, ``tensor-dtype`` or ``tensor-device`` error."""
        return self.code in SHAPE_CODES

    @property
    def hides_shapes(self) -> bool:
        """``dfdx_py`` cannot be found: every shape check is off (tensors are ``Any``)."""
        return self.code in _IMPORT_CODES and '"dfdx_py' in self.message

    def text(self) -> str:
        """mypy's own layout: ``file:line:col: severity: message  [code]`` plus notes."""
        where = f"{self.file}:{self.line}:" + (f"{self.column}:" if self.column else "")
        code = f"  [{self.code}]" if self.code and self.severity != "note" else ""
        lines = [f"{where} {self.severity}: {self.message}{code}"]
        lines += [f"{where} note: {h}" for h in (self.hint or "").splitlines()]
        return "\n".join(lines)

    def github(self) -> str:
        """A GitHub Actions workflow command: an annotation on the file and line."""
        command = {"error": "error", "warning": "warning"}.get(self.severity, "notice")
        props = [("file", self.file), ("line", str(self.line))]
        if self.column:
            props.append(("col", str(self.column)))
        if self.end_line is not None and self.end_column is not None:
            props += [("endLine", str(self.end_line)), ("endColumn", str(self.end_column))]
        props.append(("title", f"mypy [{self.code}]" if self.code else "mypy"))
        body = self.message + "".join(f"\n{h}" for h in (self.hint or "").splitlines())
        escaped = ",".join(f"{key}={_escape_property(value)}" for key, value in props)
        return f"::{command} {escaped}::{_escape_data(body)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _from_json(raw: dict[str, Any]) -> Message:
    column = int(raw.get("column", -1))
    end_line, end_column = raw.get("end_line"), raw.get("end_column")
    return Message(
        file=str(raw["file"]),
        line=int(raw["line"]),
        column=column + 1 if column >= 0 else 0,  # mypy's JSON columns are 0-based
        severity=str(raw["severity"]),
        message=str(raw["message"]),
        code=raw.get("code"),
        hint=raw.get("hint"),
        end_line=int(end_line) if end_line is not None and end_line >= 0 else None,
        end_column=int(end_column) if end_column is not None and end_column >= 0 else None,
    )


def parse_output(stdout: str) -> tuple[list[Message], list[str]]:
    """mypy's messages (``-O json`` lines, or mypy-style text lines for what mypy prints
    as text, such as blocking errors), and the other lines of ``stdout``."""
    messages: list[Message] = []
    other: list[str] = []
    for line in stdout.splitlines():
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except ValueError:
            raw = None
        if isinstance(raw, dict) and {"file", "line", "message", "severity"} <= raw.keys():
            messages.append(_from_json(raw))
            continue
        m = _TEXT_LINE.match(line)
        if m is None:
            other.append(line)
        elif m["severity"] == "note" and messages and messages[-1].file == m["file"]:
            last = messages[-1]  # a note on the message before it: its hint
            hint = f"{last.hint}\n{m['message']}" if last.hint else m["message"]
            messages[-1] = dataclasses.replace(last, hint=hint)
        else:
            messages.append(
                Message(
                    file=m["file"],
                    line=int(m["line"]),
                    column=int(m["column"] or 0),
                    severity=m["severity"],
                    message=m["message"],
                    code=m["code"],
                )
            )
    return messages, other


# -- the command -----------------------------------------------------------------------------


def _version() -> str:
    try:
        from mypy.version import __version__ as mypy_version
    except ImportError:
        mypy_version = "not installed"

    from dfdx_mypy import __version__

    return f"dfdx-shapecheck {__version__} (the dfdx_mypy plugin's version; mypy {mypy_version})"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dfdx-shapecheck",
        description=(
            "Run mypy with the dfdx_mypy plugin enabled, whatever the mypy configuration "
            "says (its other settings still apply), and fail on errors. Exit status: 0 no "
            "error, 1 errors, 2 mypy could not check. Arguments after '--' go to mypy."
        ),
        epilog=(
            "By default every mypy error fails the gate (an error elsewhere can hide a shape "
            "error); --only-shapes keeps only tensor-shape, tensor-dtype and tensor-device."
        ),
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATHS",
        help="files or folders to check (default: the mypy configuration's 'files', else .)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="text: mypy-style lines; github: GitHub Actions annotations (default: text)",
    )
    parser.add_argument(
        "--only-shapes",
        action="store_true",
        help="report and fail only on tensor-shape, tensor-dtype and tensor-device errors",
    )
    parser.add_argument(
        "--config-file",
        metavar="FILE",
        help="the mypy configuration to build on (default: the one mypy would find)",
    )
    parser.add_argument("--version", action="version", version=_version())
    return parser


def _has_targets(args: Sequence[str]) -> bool:
    return any(a in _TARGET_FLAGS or a.startswith(("--module=", "--package=")) for a in args)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Run the gate; return its exit status (``0``, ``1`` or ``2``)."""
    out = stdout if stdout is not None else sys.stdout
    argv = list(sys.argv[1:] if argv is None else argv)
    mypy_args: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, mypy_args = argv[:at], argv[at + 1 :]
    options = _parser().parse_args(argv)
    try:
        from mypy import api
    except ImportError:
        print("dfdx-shapecheck: mypy is not installed: pip install 'mypy>=1.11'", file=out)
        return 2

    with tempfile.TemporaryDirectory(prefix="dfdx-shapecheck-") as tmp:
        try:
            config = plugin_config(find_user_config(options.config_file), Path(tmp))
        except (OSError, configparser.Error, tomllib.TOMLDecodeError, TypeError) as exc:
            print(f"dfdx-shapecheck: cannot read the mypy configuration: {exc}", file=out)
            return 2
        paths = list(options.paths)
        if not paths and not config.has_files and not _has_targets(mypy_args):
            paths = ["."]
        forced = ["--config-file", str(config.path), "-O", "json", "--hide-error-context"]
        result, errors_text, status = api.run([*paths, *mypy_args, *forced])

    messages, other = parse_output(result)
    if options.only_shapes:
        shown = [m for m in messages if m.is_shape or m.hides_shapes or _is_plugin_note(m)]
    else:
        shown = messages
    for m in shown:
        print(m.github() if options.format == "github" else m.text(), file=out)
        if m.hides_shapes:
            print(_HIDDEN_HINT, file=out)
    for line in other:
        print(line, file=out)
    if errors_text.strip():
        print(errors_text.rstrip(), file=out)

    failing = [m for m in shown if m.severity == "error"]
    if status not in (0, 1):
        print(f"dfdx-shapecheck: mypy could not check (exit status {status})", file=out)
        return 2
    print(_summary(messages, failing, options.only_shapes), file=out)
    return 1 if failing else 0


_HIDDEN_HINT = (
    "dfdx-shapecheck: mypy cannot find dfdx_py, so no shape is checked. An editable install "
    "(pip install -e) uses an import hook mypy cannot follow: add the folder holding dfdx_py "
    "to MYPYPATH, or reinstall with --config-settings editable_mode=compat."
)


def _is_plugin_note(m: Message) -> bool:
    return m.severity == "note" and m.message.startswith("dfdx_mypy")


def _summary(messages: list[Message], failing: list[Message], only_shapes: bool) -> str:
    shapes = sum(m.is_shape for m in failing)
    ignored = sum(m.severity == "error" for m in messages) - len(failing)
    files = len({m.file for m in failing})
    tail = f"; {_plural(ignored, 'other mypy error')} ignored (--only-shapes)" if ignored else ""
    if not failing:
        return f"dfdx-shapecheck: no errors{tail}"
    kinds = f" ({shapes} shape, dtype or device)" if not only_shapes else ""
    return (
        f"dfdx-shapecheck: {_plural(len(failing), 'error')}{kinds} "
        f"in {_plural(files, 'file')}{tail}"
    )


if __name__ == "__main__":
    sys.exit(main())
