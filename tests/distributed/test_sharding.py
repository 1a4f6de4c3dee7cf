"""``shard``: each rank gets a disjoint part of every global batch; together the ranks'
batches are one process's batches of the combined size."""

from __future__ import annotations

import numpy as np
import pytest

from dfdx_py import data
from dfdx_py import distributed as dist


def rank_batches(world: int, n: int, b: int, seed: int = 3) -> list[list[list[int]]]:
    return [
        list(dist.shard(data.Loader(range(n)).shuffled(seed), r, world).batch(b))
        for r in range(world)
    ]


@pytest.mark.parametrize("world", [1, 2, 3, 4])
def test_the_ranks_together_see_the_global_batches(world: int) -> None:
    n, b = 70, 3  # with a last, partial global batch: 70 // world items per rank
    per_rank = rank_batches(world, n, b)
    order = list(data.Loader(range(n)).shuffled(3))[: n - n % world]  # the remainder dropped
    reference = list(data.Loader(order).batch(world * b))
    assert [len(batches) for batches in per_rank] == [len(reference)] * world
    for k, global_batch in enumerate(reference):
        parts = [per_rank[r][k] for r in range(world)]
        assert all(len(p) == len(global_batch) // world for p in parts)
        assert sorted(i for p in parts for i in p) == sorted(global_batch)  # disjoint, all


def test_every_epoch_reshuffles_alike_on_every_rank() -> None:
    loaders = [dist.shard(data.Loader(range(12)).shuffled(0), r, 2).batch(2) for r in range(2)]
    reference = data.Loader(range(12)).shuffled(0).batch(4)
    for _ in range(3):  # three epochs, three permutations
        mine = [list(loader) for loader in loaders]
        for k, global_batch in enumerate(reference):
            assert sorted(mine[0][k] + mine[1][k]) == sorted(global_batch)


def test_the_remainder_is_dropped_so_every_rank_has_as_many_items() -> None:
    shards = [list(dist.shard(range(11), r, 3)) for r in range(3)]
    assert shards == [[0, 3, 6], [1, 4, 7], [2, 5, 8]]
    assert [len(dist.shard(data.Loader(range(11)), r, 3)) for r in range(3)] == [3, 3, 3]
    assert len(dist.shard(data.Loader(range(11)), 0, 3).batch(2)) == 2


def test_a_map_before_the_shard_runs_on_this_ranks_items_only() -> None:
    seen: list[int] = []

    def record(i: int) -> int:
        seen.append(i)
        return i * 10

    loader = dist.shard(data.Loader(range(8)).map(record), 1, 2)
    assert list(loader) == [10, 30, 50, 70]
    assert seen == [1, 3, 5, 7]
    assert repr(loader).startswith("Loader(range(0, 8)).shard(1, 2).map(record)")


def test_shard_a_dataset_of_arrays_then_stack() -> None:
    ds = data.ArrayDataset(np.arange(8.0).reshape(8, 1), np.arange(8))
    (x, y), *_ = dist.shard(data.Loader(ds), 1, 2).batch(4).collate().stack()
    assert x.ravel().tolist() == [1.0, 3.0, 5.0, 7.0]
    assert y.tolist() == [1, 3, 5, 7]


def test_shard_before_batch_only() -> None:
    with pytest.raises(TypeError, match="shard the items before batch"):
        dist.shard(data.Loader(range(8)).batch(2), 0, 2)


@pytest.mark.parametrize(("rank", "world"), [(2, 2), (-1, 2), (0, 0)])
def test_bad_ranks(rank: int, world: int) -> None:
    with pytest.raises(dist.DistributedError, match=f"rank {rank} is not a rank of a world"):
        dist.shard(range(4), rank, world)


def test_rank_and_world_size_default_to_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("RANK", "1")
    clean_env.setenv("WORLD_SIZE", "4")
    assert list(dist.shard(range(8))) == [1, 5]
