"""The committed PTX matches its .cu sources (a .cu changed without scripts/build_ptx.py fails)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_ptx_is_built_from_its_current_source() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/build_ptx.py", "--check"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, "stale PTX, run scripts/build_ptx.py:\n" + result.stdout


def test_every_cuda_kernel_module_has_its_ptx() -> None:
    sources = {p.stem for p in (ROOT / "dfdx_py").rglob("*.cu")}
    ptx = {p.stem for p in (ROOT / "dfdx_py" / "ops" / "kernels" / "ptx").glob("*.ptx")}
    assert sources, "the package has CUDA sources"
    assert sources == ptx
