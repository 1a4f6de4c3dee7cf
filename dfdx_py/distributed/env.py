"""The launch environment: which rank this process is, of how many, read from the variables
the launcher set (``mpiexec``, MPICH's Hydra, ``torchrun`` or ``python -m
dfdx_py.distributed.launch``), and the errors of this package."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


class DistributedError(RuntimeError):
    """Data-parallel training cannot go on: a bad launch environment, a backend that is
    missing or failed, a peer that never joined (``torch.distributed``'s ``DistBackendError``
    and friends)."""


class WorldSizeError(DistributedError):
    """The number of processes is not what the program (or another variable) expects."""


DEFAULT_MASTER_ADDR = "127.0.0.1"
DEFAULT_MASTER_PORT = 29500
"""Where rank 0 serves the NCCL id when ``MASTER_ADDR`` / ``MASTER_PORT`` are not set
(``torchrun``'s defaults): good for one machine."""

# (launcher, rank, size, local rank, local size) variables, in the order they are trusted.
_SOURCES = (
    (
        "mpi",
        "OMPI_COMM_WORLD_RANK",
        "OMPI_COMM_WORLD_SIZE",
        "OMPI_COMM_WORLD_LOCAL_RANK",
        "OMPI_COMM_WORLD_LOCAL_SIZE",
    ),
    ("mpi", "PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID", "MPI_LOCALNRANKS"),
    ("torchrun", "RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"),
)


@dataclass(frozen=True)
class LaunchEnv:
    """This process's place in the job, as the launcher described it.

    ``launcher`` is ``"mpi"`` (Open MPI's ``OMPI_COMM_WORLD_*`` or MPICH's ``PMI_*``),
    ``"torchrun"`` (``RANK`` / ``WORLD_SIZE`` / ``LOCAL_RANK``: torchrun, or
    ``dfdx_py.distributed.launch --local``) or ``"none"`` (a plain ``python``: rank 0 of 1).
    ``local_rank`` is the rank among the processes of this machine: the GPU to use.
    ``store_port`` is where rank 0 serves NCCL's id: ``DFDX_STORE_PORT``, else
    ``MASTER_PORT`` (plus one under torchrun, whose own store listens on ``MASTER_PORT``).
    ``variables`` names the variables read, for error messages.
    """

    rank: int
    world_size: int
    local_rank: int
    local_world_size: int
    launcher: str
    master_addr: str
    master_port: int
    store_port: int
    variables: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> LaunchEnv:
        """Read ``environ`` (``os.environ`` by default), as PyTorch's ``env://`` init method
        does. Raises ``DistributedError`` for a
        malformed or half-set variable, and ``WorldSizeError`` when two launchers' variables
        disagree (``WORLD_SIZE=4`` in a job that ``mpiexec -n 2`` started)."""
        env = os.environ if environ is None else environ
        found: list[tuple[str, int, int, int, int, str]] = []
        for launcher, rank_var, size_var, local_var, local_size_var in _SOURCES:
            if rank_var not in env and size_var not in env:
                continue
            if rank_var not in env or size_var not in env:
                given, missing = (rank_var, size_var) if rank_var in env else (size_var, rank_var)
                raise DistributedError(f"the launch environment sets {given} but not {missing}")
            rank = _int(env, rank_var)
            size = _int(env, size_var)
            if size < 1 or not 0 <= rank < size:
                raise DistributedError(
                    f"the launch environment is inconsistent: {rank_var}={rank}, {size_var}={size}"
                )
            local = _int(env, local_var) if local_var in env else rank
            local_size = _int(env, local_size_var) if local_size_var in env else size
            names = f"{rank_var}={rank}, {size_var}={size}"
            found.append((launcher, rank, size, local, local_size, names))
        if not found:
            launcher, rank, size, local, local_size, names = ("none", 0, 1, 0, 1, "no launcher")
        else:
            launcher, rank, size, local, local_size, names = found[0]
            for other in found[1:]:
                if (other[1], other[2]) != (rank, size):
                    raise WorldSizeError(
                        f"the launch environment disagrees with itself: {names} but "
                        f"{other[5]}; unset the stale variables"
                    )
        master_port = _int(env, "MASTER_PORT") if "MASTER_PORT" in env else DEFAULT_MASTER_PORT
        if "DFDX_STORE_PORT" in env:
            store_port = _int(env, "DFDX_STORE_PORT")
        else:
            agent_store = env.get("TORCHELASTIC_USE_AGENT_STORE", "").lower() == "true"
            store_port = master_port + 1 if agent_store else master_port
        return cls(
            rank=rank,
            world_size=size,
            local_rank=local,
            local_world_size=local_size,
            launcher=launcher,
            master_addr=env.get("MASTER_ADDR", DEFAULT_MASTER_ADDR),
            master_port=master_port,
            store_port=store_port,
            variables=names,
        )

    def check_world_size(self, expected: int | None) -> None:
        """``WorldSizeError`` naming both numbers unless the job has ``expected`` processes."""
        if expected is not None and expected != self.world_size:
            raise WorldSizeError(
                f"this program expects {expected} processes but the launcher started "
                f"{self.world_size} ({self.variables}); launch it with "
                f"`mpiexec -n {expected} ...` (or torchrun --nproc-per-node {expected})"
            )


def _int(env: Mapping[str, str], name: str) -> int:
    try:
        return int(env[name])
    except ValueError:
        raise DistributedError(f"{name}={env[name]!r} is not an integer") from None
