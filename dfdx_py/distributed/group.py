"""The process group: ``init`` reads the launch environment and starts a backend, ``shutdown``
ends it; ``rank()``, ``world_size()`` and friends read it."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dfdx_py.distributed.backends import Backend, MpiBackend, SingleBackend, nccl_backend
from dfdx_py.distributed.env import DistributedError, LaunchEnv, WorldSizeError
from dfdx_py.distributed.mpi import MpiWorld

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device

BACKENDS = ("mpi", "nccl", "single")


@dataclass
class ProcessGroup:
    """The ranks of this job and the backend that connects them (PyTorch's default
    ``ProcessGroup``). ``device`` is the device ``init`` was given or made (``None`` for a
    Cpu job started without one)."""

    env: LaunchEnv
    backend: Backend
    mpi: MpiWorld | None
    device: Device | None

    @property
    def rank(self) -> int:
        return self.env.rank

    @property
    def world_size(self) -> int:
        return self.env.world_size


_group: ProcessGroup | None = None


def init(
    backend: str | None = None,
    *,
    device: Device | None = None,
    expected_world_size: int | None = None,
    timeout: float = 300.0,
    exit_timeout: float | None = None,
) -> ProcessGroup:
    """Join the job the launcher started: read this process's rank and the world size from
    the environment (``mpiexec``'s ``OMPI_COMM_WORLD_*`` / ``PMI_*``, or torchrun's
    ``RANK`` / ``WORLD_SIZE`` / ``LOCAL_RANK``; a plain ``python`` is rank 0 of 1) and start
    a backend (``torch.distributed.init_process_group``)::

        dist.init()                                     # Cpu: MPI (under mpiexec -n N)
        dev = Cuda(dist.local_rank())
        dist.init(device=dev)                           # Cuda: NCCL, one GPU per process

    ``backend``: ``"mpi"`` (mpi4py; Cpu tensors, other devices staged through the host),
    ``"nccl"`` (``Cuda`` tensors, on the GPU) or ``"single"`` (a world of one, nothing to
    install); by default ``"nccl"`` when ``device`` is a ``Cuda``, else ``"mpi"`` (``"single"``
    for a world of one without mpi4py).
    ``device``: for ``nccl``, the GPU of this rank (default ``Cuda(local_rank())``).
    ``expected_world_size``: raise ``WorldSizeError`` naming both numbers unless the job has
    that many processes. ``timeout``: seconds to wait for every rank to join (the NCCL
    rendezvous). ``exit_timeout``: under MPI, seconds a rank waits at exit for the others
    before aborting the job (default 60, or ``DFDX_DISTRIBUTED_EXIT_TIMEOUT``).

    Under MPI an uncaught exception on any rank aborts the whole job rather than leave the
    other ranks waiting (see ``dfdx_py.distributed.mpi``). Returns the ``ProcessGroup``.
    """
    global _group
    if _group is not None:
        raise DistributedError("init: already initialised; call shutdown() first")
    env = LaunchEnv.from_environ()
    env.check_world_size(expected_world_size)
    name = _choose_backend(backend, device, env)
    if name == "mpi" and env.launcher == "torchrun" and env.world_size > 1:
        raise DistributedError(
            f"the mpi backend needs its processes started by mpiexec, not torchrun-style "
            f"({env.variables}): `mpiexec -n {env.world_size} python ...`, or the nccl "
            "backend for Cuda tensors"
        )
    mpi: MpiWorld | None = None
    if name == "mpi" or (name == "nccl" and env.launcher == "mpi" and _has_mpi4py()):
        mpi = MpiWorld.get()
        mpi.active = True  # from here on, a failure on one rank aborts every rank
        if (mpi.rank, mpi.size) != (env.rank, env.world_size):
            raise WorldSizeError(
                f"MPI says this is rank {mpi.rank} of {mpi.size}, the environment says "
                f"{env.variables}: was the job started by another MPI's mpiexec than the one "
                "mpi4py loads?"
            )
        if exit_timeout is not None:
            mpi.exit_timeout = exit_timeout
    chosen: Backend
    if name == "mpi":
        assert mpi is not None
        chosen = MpiBackend(mpi)
    elif name == "nccl":
        if device is None:
            from dfdx_py.devices.cuda import Cuda

            device = Cuda(env.local_rank)
        chosen = nccl_backend(env, device, mpi, timeout)
    else:
        if env.world_size != 1:
            raise WorldSizeError(
                f"the single backend runs a world of one process; this job has "
                f"{env.world_size} ({env.variables}): use backend 'mpi' or 'nccl'"
            )
        chosen = SingleBackend()
    _group = ProcessGroup(env, chosen, mpi, device)
    return _group


def _choose_backend(backend: str | None, device: Device | None, env: LaunchEnv) -> str:
    if backend is not None:
        if backend not in BACKENDS:
            raise ValueError(f"init: backend must be one of {BACKENDS}, got {backend!r}")
        return backend
    if device is not None and device.kind == "cuda":
        return "nccl"
    if _has_mpi4py() or env.world_size > 1:
        return "mpi"  # (without mpi4py, a world > 1 gets the mpi backend's install hint)
    return "single"


def _has_mpi4py() -> bool:
    return importlib.util.find_spec("mpi4py") is not None


def shutdown(timeout: float | None = None) -> None:
    """Leave the job cleanly: wait until every rank calls ``shutdown()`` (at most ``timeout``
    seconds, else ``DistributedError``), then free the backend
    (``torch.distributed.destroy_process_group``). Call it at the end of the program on
    every rank. Nothing happens when not initialised. MPI itself is finalised at exit."""
    global _group
    group = _group
    if group is None:
        return
    try:
        if group.mpi is not None:
            if not group.mpi.synchronize(timeout):
                raise DistributedError(
                    f"shutdown: not every rank called shutdown() within {timeout:g} s"
                )
        else:
            group.backend.barrier()
    finally:
        _group = None
        if group.mpi is not None:
            group.mpi.active = False
        group.backend.close()


def process_group() -> ProcessGroup:
    """The current ``ProcessGroup`` (``torch.distributed.group.WORLD``); ``DistributedError``
    when ``init()`` has not run."""
    if _group is None:
        raise DistributedError(
            "dfdx_py.distributed is not initialised: call dfdx_py.distributed.init() first"
        )
    return _group


def is_initialized() -> bool:
    """Whether ``init()`` ran and ``shutdown()`` has not (``torch.distributed.is_initialized``)."""
    return _group is not None


def _env() -> LaunchEnv:
    """The process group's launch environment, or before ``init()`` the environment's."""
    return _group.env if _group is not None else LaunchEnv.from_environ()


def rank() -> int:
    """This process's rank, 0 .. world_size() - 1 (``torch.distributed.get_rank``); before
    ``init()``, what the launch environment says."""
    return _env().rank


def world_size() -> int:
    """The number of processes (``torch.distributed.get_world_size``); before ``init()``,
    what the launch environment says."""
    return _env().world_size


def local_rank() -> int:
    """This process's rank among those of its machine: the GPU it should use
    (``LOCAL_RANK`` under torchrun, ``OMPI_COMM_WORLD_LOCAL_RANK`` under Open MPI;
    ``torch.distributed.get_node_local_rank``)."""
    return _env().local_rank


def backend() -> str:
    """The backend's name: ``"mpi"``, ``"nccl"`` or ``"single"``
    (``torch.distributed.get_backend``)."""
    return process_group().backend.name


def barrier() -> None:
    """Wait until every rank gets here (``torch.distributed.barrier``)."""
    process_group().backend.barrier()
