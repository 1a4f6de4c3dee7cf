"""Data-parallel training across processes: MPI between CPU processes, NCCL between GPUs
(PyTorch's ``torch.distributed`` and ``DistributedDataParallel``, on existing engines).

Every process (rank) holds the whole model and trains on its own share of each batch; after
``backward()`` the gradients are averaged over the ranks, so every rank applies the same
update and the weights stay identical. Launch N copies of the script::

    mpiexec -n 2 python train.py                     # Cpu ranks, MPI (the "distributed" extra)
    python -m dfdx_py.distributed.launch -n 2 train.py          # the same, root-safe flags
    python -m dfdx_py.distributed.launch --local -n 2 train.py  # GPUs without MPI (NCCL)

and in the script::

    from dfdx_py import distributed as dist

    dist.init()                                   # or dist.init(device=Cuda(dist.local_rank()))
    model = dev.build_module(Model, f32)
    dist.broadcast(model)                         # rank 0's initial weights everywhere
    opt = optim.Adam(model, lr=1e-3)
    loader = dist.shard(data.Loader(ds).shuffled(0)).batch(64).collate().stack(device=dev)
    for x, y in loader:                           # a disjoint 1/N of every global batch
        grads = model.alloc_grads()
        grads = losses.mse_loss(model.forward_mut(x.traced(grads)), y).backward()
        dist.all_reduce(grads, model)             # the mean gradient over the ranks
        opt.update(model, grads)
    if dist.rank() == 0:
        model.save("model.safetensors")
    dist.shutdown()

N ranks with batch ``b`` then train like one process with batch ``N * b``.
"""

from dfdx_py.distributed.collectives import (
    NoGradientError,
    all_reduce,
    all_reduce_tensor,
    broadcast,
)
from dfdx_py.distributed.env import DistributedError, LaunchEnv, WorldSizeError
from dfdx_py.distributed.group import (
    ProcessGroup,
    backend,
    barrier,
    init,
    is_initialized,
    local_rank,
    process_group,
    rank,
    shutdown,
    world_size,
)
from dfdx_py.distributed.sharding import shard

__all__ = [
    "DistributedError",
    "LaunchEnv",
    "NoGradientError",
    "ProcessGroup",
    "WorldSizeError",
    "all_reduce",
    "all_reduce_tensor",
    "backend",
    "barrier",
    "broadcast",
    "init",
    "is_initialized",
    "local_rank",
    "process_group",
    "rank",
    "shard",
    "shutdown",
    "world_size",
]
