"""Compile every ``.cu`` file of dfdx_py to PTX, or check that the committed PTX is current.

    python scripts/build_ptx.py            # rebuild what changed (needs nvcc)
    python scripts/build_ptx.py --all      # rebuild everything
    python scripts/build_ptx.py --check    # exit 1 if a .cu changed without its PTX (no nvcc)

Each ``dfdx_py/**/<name>.cu`` becomes ``dfdx_py/ops/kernels/ptx/<name>.ptx`` for the baseline
virtual architecture compute_75 (the oldest CUDA 13 supports; the driver compiles it for the
GPU at load time). The PTX's first line records the SHA-256 of its source and of the shared
headers, which is how ``--check`` (and the test suite) knows a PTX is stale.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dfdx_py"
INCLUDE = PACKAGE / "ops" / "kernels" / "include"
PTX_DIR = PACKAGE / "ops" / "kernels" / "ptx"
ARCH = "compute_75"
HEADER = "// dfdx_py: PTX of {source}, sha256 {digest}"


def sources() -> dict[str, Path]:
    """Every ``.cu`` file by the name of its PTX module (names must be unique)."""
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.cu")):
        if path.stem in found:
            sys.exit(f"two .cu files named {path.stem}: {found[path.stem]} and {path}")
        found[path.stem] = path
    return found


def digest(source: Path) -> str:
    """SHA-256 of the source and of every shared header (a header change rebuilds all)."""
    h = hashlib.sha256(source.read_bytes())
    for header in sorted(INCLUDE.glob("*.cuh")):
        h.update(header.name.encode())
        h.update(header.read_bytes())
    return h.hexdigest()


def header_line(name: str, source: Path) -> str:
    return HEADER.format(source=source.relative_to(ROOT).as_posix(), digest=digest(source))


def stale() -> list[str]:
    """What is out of date: sources without current PTX, PTX without a source."""
    problems = []
    srcs = sources()
    for name, source in srcs.items():
        ptx = PTX_DIR / f"{name}.ptx"
        if not ptx.exists():
            problems.append(f"{source.relative_to(ROOT)}: no PTX (run scripts/build_ptx.py)")
        elif ptx.read_text().split("\n", 1)[0] != header_line(name, source):
            problems.append(f"{source.relative_to(ROOT)}: changed since its PTX was built")
    for ptx in sorted(PTX_DIR.glob("*.ptx")):
        if ptx.stem not in srcs:
            problems.append(f"{ptx.relative_to(ROOT)}: no .cu source any more")
    return problems


def build(name: str, source: Path) -> None:
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        sys.exit("nvcc not found: install the CUDA toolkit to build PTX")
    out = PTX_DIR / f"{name}.ptx"
    fd, tmp_name = tempfile.mkstemp(dir=PTX_DIR, prefix=f".{name}-", suffix=".tmp")
    os.close(fd)  # a unique name: two builds running at once do not collide
    tmp = Path(tmp_name)
    cmd = [nvcc, "--ptx", f"-arch={ARCH}", "-std=c++17", "-O3", f"-I{INCLUDE}", "-o", str(tmp),
           str(source)]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0 or "warning" in result.stderr:
        tmp.unlink(missing_ok=True)
        sys.exit(f"nvcc failed (or warned) on {source}:\n{result.stderr}")
    tmp.write_text(header_line(name, source) + "\n" + tmp.read_text())
    tmp.replace(out)
    print(f"built {out.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only check, exit 1 if stale")
    parser.add_argument("--all", action="store_true", help="rebuild every PTX")
    args = parser.parse_args()
    if args.check:
        problems = stale()
        for p in problems:
            print(p)
        sys.exit(1 if problems else 0)
    PTX_DIR.mkdir(parents=True, exist_ok=True)
    for name, source in sources().items():
        ptx = PTX_DIR / f"{name}.ptx"
        current = ptx.exists() and ptx.read_text().split("\n", 1)[0] == header_line(name, source)
        if args.all or not current:
            build(name, source)
    for ptx in PTX_DIR.glob("*.ptx"):
        if ptx.stem not in sources():
            ptx.unlink()
            print(f"removed {ptx.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
