"""``shard``: each rank's disjoint part of a ``data.Loader`` (PyTorch's ``DistributedSampler``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar, overload

from dfdx_py.data.dataset import ExactSizeDataset
from dfdx_py.data.loader import Loader, _Stage
from dfdx_py.distributed.env import DistributedError

T = TypeVar("T")


@overload
def shard(
    loader: Loader[T], rank: int | None = None, world_size: int | None = None
) -> Loader[T]: ...
@overload
def shard(
    loader: ExactSizeDataset[T] | Iterable[T],
    rank: int | None = None,
    world_size: int | None = None,
) -> Loader[T]: ...
def shard(loader: Any, rank: int | None = None, world_size: int | None = None) -> Loader[Any]:
    """This rank's share of ``loader``'s items: of each run of ``world_size`` consecutive
    items, the one at position ``rank`` (``torch.utils.data.DistributedSampler`` with
    ``drop_last=True``). A trailing run shorter than ``world_size`` is dropped, so every rank
    gets the same number of items and of batches (an all-reduce waits for every rank)::

        loader = dist.shard(data.Loader(ds).shuffled(seed)).batch(b).collate().stack(device=dev)

    Shard the items, before ``batch``: then batch ``k`` of the ranks together is batch ``k``
    of one process running the same chain with batch size ``world_size * b``, item for
    item, so N ranks with batch ``b`` train like one process with batch ``N * b``. Shuffle
    with the same int seed on every rank (every rank draws the same permutation each epoch).
    ``rank`` and ``world_size`` default to the process group's (``init()``), or the launch
    environment's. A dataset or an iterable is first wrapped in a ``Loader``.
    """
    from dfdx_py.distributed.group import rank as group_rank
    from dfdx_py.distributed.group import world_size as group_world_size

    if not isinstance(loader, Loader):
        loader = Loader(loader)
    world = group_world_size() if world_size is None else world_size
    me = group_rank() if rank is None else rank
    for name, value in (("rank", me), ("world_size", world)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"shard: {name} must be an int, got {value!r}")
    if world < 1 or not 0 <= me < world:
        raise DistributedError(f"shard: rank {me} is not a rank of a world of {world}")
    if not all(stage.itemwise for stage in loader._stages):
        raise TypeError("shard: shard the items before batch(), not the batches")

    def apply(items: Iterator[Any]) -> Iterator[Any]:
        while True:
            run = list(itertools.islice(items, world))
            if len(run) < world:
                return
            yield run[me]

    def length(count: int) -> int:
        return count // world

    stage = _Stage(f"shard({me}, {world})", apply, length, itemwise=False)
    # Item-wise stages (map, collate, stack) commute with the shard: it goes first, so that
    # a rank maps only its own items.
    sharded: Loader[Any] = object.__new__(Loader)
    sharded._source, sharded._rng = loader._source, loader._rng
    sharded._stages = (stage, *loader._stages)
    return sharded
