"""Running scripts as several ranks from a test: through ``mpiexec`` or ``launch --local``,
always under a timeout (a hang fails the test instead of stalling the suite)."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from dfdx_py.distributed.launch import find_mpiexec, mpiexec_command

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).resolve().parent / "train_worker.py"


def mpi_missing() -> str | None:
    """Why the MPI tests cannot run here, or ``None``."""
    if importlib.util.find_spec("mpi4py") is None:
        return 'mpi4py is not installed (pip install -e ".[distributed]")'
    if find_mpiexec() is None:
        return 'no mpiexec (pip install -e ".[distributed]" brings Open MPI\'s)'
    return None


needs_mpi = pytest.mark.skipif(mpi_missing() is not None, reason=str(mpi_missing()))


def rank_env(**extra: str) -> dict[str, str]:
    """The environment of the ranks: this one, one BLAS thread each (ranks share the cores),
    the repository importable, no launcher variables from outside."""
    prefixes = ("OMPI_", "PMI_", "PMIX_", "MASTER_", "TORCHELASTIC_", "DFDX_STORE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"):
        env.pop(name, None)
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def run(
    command: Sequence[str], timeout: float, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in its own session; on timeout kill the whole session (mpiexec and its
    ranks) and fail the test."""
    proc = subprocess.Popen(
        list(command),
        cwd=ROOT,
        env=rank_env(**extra_env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"{' '.join(command)} hung for {timeout} s\n{out}\n{err}")
    return subprocess.CompletedProcess(list(command), proc.returncode, out, err)


def run_mpi(
    n: int, argv: Sequence[str], timeout: float = 120, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    """``mpiexec -n N python ARGV`` (see ``run``)."""
    return run(mpiexec_command(n, argv), timeout, **extra_env)


def run_python(
    argv: Sequence[str], timeout: float = 120, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    """``python ARGV`` (see ``run``)."""
    return run([sys.executable, *argv], timeout, **extra_env)
