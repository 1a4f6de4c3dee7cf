"""The backends: what moves device buffers between the ranks.

- ``mpi``: MPI through mpi4py. Cpu storage (numpy arrays) goes to MPI directly; any other
  device's storage is staged through host memory (it works, slowly, for a ``Cuda`` device
  without NCCL).
- ``nccl``: NCCL on the GPU buffers of ``Cuda`` tensors, no host copy.
- ``single``: a world of one process, nothing to move (runs distributed code unchanged
  without MPI installed).

Each takes a list of buffers (device storages: 1-D when fused) and returns new ones; the
caller (``collectives.py``) flattens tensors into those buffers and back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from dfdx_py.distributed.env import DistributedError, LaunchEnv
from dfdx_py.dtypes import f32

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device
    from dfdx_py.distributed.mpi import MpiWorld
    from dfdx_py.distributed.nccl import Communicator


class Backend(Protocol):
    """What every backend offers (``torch.distributed.Backend``)."""

    name: str

    def all_reduce(self, buffers: Sequence[Any], device: Device, average: bool) -> list[Any]:
        """Per buffer, its element-wise sum (or mean) over the ranks, as new buffers."""
        ...

    def broadcast(self, buffers: Sequence[Any], device: Device, root: int) -> list[Any]:
        """Rank ``root``'s buffers on every rank, as new buffers."""
        ...

    def barrier(self) -> None:
        """Wait until every rank gets here."""
        ...

    def close(self) -> None:
        """Free what the backend holds (the NCCL communicator)."""
        ...


class SingleBackend:
    """A world of one: every collective returns its input."""

    name = "single"

    def all_reduce(self, buffers: Sequence[Any], device: Device, average: bool) -> list[Any]:
        return list(buffers)

    def broadcast(self, buffers: Sequence[Any], device: Device, root: int) -> list[Any]:
        return list(buffers)

    def barrier(self) -> None:
        pass

    def close(self) -> None:
        pass


class MpiBackend:
    """MPI's collectives on host memory (``torch.distributed``'s ``mpi`` backend)."""

    name = "mpi"

    def __init__(self, world: MpiWorld) -> None:
        self.world = world

    def all_reduce(self, buffers: Sequence[Any], device: Device, average: bool) -> list[Any]:
        return [
            device._from_numpy(self.world.all_reduce(device._to_numpy(b), average)) for b in buffers
        ]

    def broadcast(self, buffers: Sequence[Any], device: Device, root: int) -> list[Any]:
        return [
            device._from_numpy(self.world.broadcast(device._to_numpy(b), root)) for b in buffers
        ]

    def barrier(self) -> None:
        self.world.barrier()

    def close(self) -> None:
        pass


class NcclBackend:
    """NCCL's collectives on one GPU per process (``torch.distributed``'s ``nccl``)."""

    name = "nccl"

    def __init__(self, communicator: Communicator, ordinal: int) -> None:
        self.comm = communicator
        self.ordinal = ordinal

    def _check(self, device: Device) -> None:
        if device.kind != "cuda" or getattr(device, "ordinal", None) != self.ordinal:
            raise DistributedError(
                f"the nccl backend of this rank reduces tensors on Cuda({self.ordinal}), "
                f"got a tensor on {device!r}"
            )

    def all_reduce(self, buffers: Sequence[Any], device: Device, average: bool) -> list[Any]:
        return self._grouped(buffers, device, self.comm.all_reduce, average)

    def broadcast(self, buffers: Sequence[Any], device: Device, root: int) -> list[Any]:
        return self._grouped(buffers, device, self.comm.broadcast, root)

    def _grouped(
        self, buffers: Sequence[Any], device: Device, call: Callable[..., None], arg: Any
    ) -> list[Any]:
        """``call(src, dst, count, dtype, arg)`` for every non-empty buffer into a fresh
        one, in one NCCL group; the fresh buffers."""
        self._check(device)
        outs = [b.ctx.empty(b.shape, b.dtype) for b in buffers]
        self.comm.group_start()
        try:
            for b, out in zip(buffers, outs, strict=True):
                if b.size:
                    call(b.ptr, out.ptr, b.size, b.dtype.name, arg)
        finally:
            self.comm.group_end()
        return outs

    def barrier(self) -> None:
        """An all-reduce of one element, waited for (NCCL has no barrier of its own)."""
        from dfdx_py.devices.cuda import Cuda

        dev = Cuda(self.ordinal)
        (out,) = self.all_reduce([dev._full((1,), f32, 0.0)], dev, average=False)
        dev._to_numpy(out)  # waits for the stream

    def close(self) -> None:
        from dfdx_py.devices.cuda import Cuda

        Cuda(self.ordinal).synchronize()  # nothing of ours in flight when the comm goes
        self.comm.destroy()


def nccl_backend(
    env: LaunchEnv, device: Device, mpi: MpiWorld | None, timeout: float
) -> NcclBackend:
    """The ``nccl`` backend of this rank on ``device`` (a ``Cuda``): rank 0 makes NCCL's
    unique id and hands it over (through MPI under ``mpiexec``, else through the TCP
    rendezvous at ``MASTER_ADDR``, port ``env.store_port``), then every rank joins the
    communicator."""
    from dfdx_py.distributed import store
    from dfdx_py.distributed.nccl import Communicator, Nccl

    if device.kind != "cuda":
        raise DistributedError(
            f"the nccl backend reduces Cuda tensors, not {device!r}: init(backend='mpi') "
            "for the Cpu, or init(device=Cuda(local_rank()))"
        )
    ordinal = int(getattr(device, "ordinal", 0))
    nccl = Nccl()
    uid = nccl.unique_id() if env.rank == 0 else b""
    if mpi is not None:
        uid = mpi.comm.bcast(uid if env.rank == 0 else None, root=0)
    elif env.rank == 0:
        store.serve(env.store_port, env.world_size, uid, timeout)
    else:
        uid = store.fetch(env.master_addr, env.store_port, env.rank, env.world_size, timeout)
    communicator = Communicator(nccl, uid, env.rank, env.world_size)
    if communicator.device != ordinal:
        communicator.destroy()
        raise DistributedError(
            f"NCCL bound rank {env.rank} to GPU {communicator.device}, not Cuda({ordinal}): "
            "the CUDA context current on this thread is another GPU's"
        )
    return NcclBackend(communicator, ordinal)
