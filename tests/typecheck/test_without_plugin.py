"""Without the plugin, mypy on code using the shape sugar reports errors (bare ints are not
types to it) but never crashes (DESIGN §1)."""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_without_the_plugin_does_not_crash(tmp_path: Path) -> None:
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\n\n[mypy-dfdx_py.*]\nfollow_imports = silent\n")
    files = sorted(str(p) for p in (ROOT / "typecheck_cases" / "pass").glob("*.py"))
    files += sorted(str(p) for p in (ROOT / "examples").glob("[0-9][0-9]_*.py"))
    stdout, stderr, status = api.run(
        ["--config-file", str(config), "--cache-dir", str(tmp_path / "cache"), *files]
    )
    assert status in (0, 1), stdout + stderr  # 2 would mean mypy could not check
    assert "INTERNAL ERROR" not in stdout + stderr and "Traceback" not in stdout + stderr
    assert "dfdx_mypy" not in stdout  # the plugin really was off
    assert "Invalid type" in stdout  # the sugar is an error without the plugin, as documented
