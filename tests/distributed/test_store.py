"""The TCP rendezvous that carries NCCL's id from rank 0 (threads stand in for the ranks),
and ``launch --local``, which starts ranks with torchrun's variables."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from dfdx_py.distributed import DistributedError, WorldSizeError, store
from dfdx_py.distributed.launch import free_port
from tests.distributed.launching import run

PAYLOAD = bytes(range(128))


class Peers:
    """``fetch`` for each (rank, world size) claimed, in threads; ``results()``: each one's
    payload or error."""

    def __init__(self, port: int, claims: list[tuple[int, int]], timeout: float = 10) -> None:
        self.answers: list[Any] = [None] * len(claims)
        self.threads = [
            threading.Thread(target=self._join, args=(i, port, r, w, timeout))
            for i, (r, w) in enumerate(claims)
        ]
        for t in self.threads:
            t.start()

    def _join(self, i: int, port: int, rank: int, world: int, timeout: float) -> None:
        try:
            self.answers[i] = store.fetch("127.0.0.1", port, rank, world, timeout)
        except DistributedError as e:
            self.answers[i] = e

    def results(self) -> list[Any]:
        for t in self.threads:
            t.join(30)
        return self.answers


def test_every_rank_gets_rank_0s_payload() -> None:
    port = free_port()
    started = Peers(port, [(1, 4), (2, 4), (3, 4)])  # they retry until rank 0 listens
    time.sleep(0.2)
    assert store.serve(port, 4, PAYLOAD, timeout=10) == [0, 1, 2, 3]
    assert started.results() == [PAYLOAD] * 3


def test_a_world_of_one_needs_nobody() -> None:
    assert store.serve(free_port(), 1, PAYLOAD, timeout=0.1) == []


def test_a_rank_with_another_world_size_fails_every_rank() -> None:
    port = free_port()
    started = Peers(port, [(1, 3)])
    with pytest.raises(
        WorldSizeError, match="rank 1 was started for a world of 3 processes, rank 0 for 2"
    ):
        store.serve(port, 2, PAYLOAD, timeout=10)
    (error,) = started.results()
    assert isinstance(error, WorldSizeError) and "world of 3" in str(error)


def test_a_missing_rank_is_named_after_the_timeout() -> None:
    port = free_port()
    started = Peers(port, [(1, 3)])
    with pytest.raises(DistributedError, match=r"only ranks \[0, 1\] of a world of 3 joined"):
        store.serve(port, 3, PAYLOAD, timeout=3.0)  # time for rank 1 on a busy machine
    (error,) = started.results()
    assert "only ranks [0, 1]" in str(error)


def test_two_processes_claiming_one_rank() -> None:
    port = free_port()
    started = Peers(port, [(1, 3), (1, 3)])
    with pytest.raises(DistributedError, match="two processes claim rank 1"):
        store.serve(port, 3, PAYLOAD, timeout=10)
    assert all("two processes claim rank 1" in str(e) for e in started.results())


def test_rank_0_unreachable() -> None:
    with pytest.raises(DistributedError, match=r"rank 1 could not reach rank 0 at 127\.0\.0\.1"):
        store.fetch("127.0.0.1", free_port(), 1, 2, timeout=0.5)


def test_launch_local_sets_torchrun_variables_and_stops_the_others(tmp_path: Path) -> None:
    """Rank 1 fails once rank 0 has printed its line; rank 0 (which would sleep 60 s) is
    stopped, and the launcher exits with rank 1's status."""
    script = tmp_path / "ranks.py"
    marker = tmp_path / "rank0-printed"
    script.write_text(
        "import pathlib, sys, time\n"
        "from dfdx_py import distributed as dist\n"
        f"marker = pathlib.Path({str(marker)!r})\n"
        "env = dist.LaunchEnv.from_environ()\n"
        "print(f'{env.launcher} {env.rank} {env.world_size} {env.local_rank}', flush=True)\n"
        "if env.rank == 0:\n"
        "    marker.touch()\n"
        "    time.sleep(60)\n"
        "deadline = time.monotonic() + 20\n"
        "while not marker.exists() and time.monotonic() < deadline:\n"
        "    time.sleep(0.01)\n"
        "sys.exit(7)\n"
    )
    start = time.monotonic()
    command = [sys.executable, "-m", "dfdx_py.distributed.launch", "--local", "-n", "2"]
    result = run([*command, str(script)], timeout=50)
    assert result.returncode == 7
    assert time.monotonic() - start < 30
    assert sorted(result.stdout.splitlines()) == ["torchrun 0 2 0", "torchrun 1 2 1"]
    assert "launch: rank 1 exited with status 7; stopping the other ranks" in result.stderr
