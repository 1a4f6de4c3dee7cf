"""The launch environment: rank and world size from mpiexec's, MPICH's and torchrun's
variables; mismatches and malformed values are clear errors."""

from __future__ import annotations

import pytest

from dfdx_py import distributed as dist
from dfdx_py.distributed import DistributedError, LaunchEnv, WorldSizeError


def test_a_plain_python_is_rank_0_of_1() -> None:
    env = LaunchEnv.from_environ({})
    assert (env.rank, env.world_size, env.local_rank, env.launcher) == (0, 1, 0, "none")
    assert (env.master_addr, env.master_port) == ("127.0.0.1", 29500)


def test_open_mpi() -> None:
    env = LaunchEnv.from_environ(
        {
            "OMPI_COMM_WORLD_RANK": "3",
            "OMPI_COMM_WORLD_SIZE": "4",
            "OMPI_COMM_WORLD_LOCAL_RANK": "1",
            "OMPI_COMM_WORLD_LOCAL_SIZE": "2",
        }
    )
    assert (env.rank, env.world_size, env.local_rank, env.local_world_size) == (3, 4, 1, 2)
    assert env.launcher == "mpi"


def test_mpich_hydra() -> None:
    env = LaunchEnv.from_environ({"PMI_RANK": "1", "PMI_SIZE": "2", "MPI_LOCALRANKID": "1"})
    assert (env.rank, env.world_size, env.local_rank, env.launcher) == (1, 2, 1, "mpi")


def test_torchrun() -> None:
    env = LaunchEnv.from_environ(
        {
            "RANK": "1",
            "WORLD_SIZE": "2",
            "LOCAL_RANK": "0",
            "MASTER_ADDR": "10.0.0.2",
            "MASTER_PORT": "1234",
        }
    )
    assert (env.rank, env.world_size, env.local_rank, env.launcher) == (1, 2, 0, "torchrun")
    assert (env.master_addr, env.master_port) == ("10.0.0.2", 1234)


def test_without_a_local_rank_the_rank_is_used() -> None:
    env = LaunchEnv.from_environ({"RANK": "1", "WORLD_SIZE": "2"})
    assert env.local_rank == 1


def test_agreeing_launchers_are_fine_and_disagreeing_ones_an_error() -> None:
    env = LaunchEnv.from_environ(
        {"OMPI_COMM_WORLD_RANK": "1", "OMPI_COMM_WORLD_SIZE": "2", "RANK": "1", "WORLD_SIZE": "2"}
    )
    assert env.launcher == "mpi"
    with pytest.raises(
        WorldSizeError,
        match=r"OMPI_COMM_WORLD_RANK=0, OMPI_COMM_WORLD_SIZE=2 but RANK=0, WORLD_SIZE=4",
    ):
        LaunchEnv.from_environ(
            {
                "OMPI_COMM_WORLD_RANK": "0",
                "OMPI_COMM_WORLD_SIZE": "2",
                "RANK": "0",
                "WORLD_SIZE": "4",
            }
        )


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"RANK": "0"}, "sets RANK but not WORLD_SIZE"),
        ({"WORLD_SIZE": "2"}, "sets WORLD_SIZE but not RANK"),
        ({"RANK": "two", "WORLD_SIZE": "2"}, "RANK='two' is not an integer"),
        ({"RANK": "2", "WORLD_SIZE": "2"}, "inconsistent: RANK=2, WORLD_SIZE=2"),
        ({"RANK": "0", "WORLD_SIZE": "0"}, "inconsistent"),
        ({"RANK": "0", "WORLD_SIZE": "1", "MASTER_PORT": "x"}, "MASTER_PORT='x'"),
    ],
)
def test_malformed_environments(environ: dict[str, str], message: str) -> None:
    with pytest.raises(DistributedError, match=message):
        LaunchEnv.from_environ(environ)


def test_init_checks_the_expected_world_size_first(clean_env: pytest.MonkeyPatch) -> None:
    """Before any backend starts: the error names both sizes and the variables."""
    clean_env.setenv("OMPI_COMM_WORLD_RANK", "0")
    clean_env.setenv("OMPI_COMM_WORLD_SIZE", "2")
    with pytest.raises(
        WorldSizeError,
        match=r"expects 4 processes but the launcher started 2 \(OMPI_COMM_WORLD_RANK=0, "
        r"OMPI_COMM_WORLD_SIZE=2\)",
    ):
        dist.init(expected_world_size=4)
    assert not dist.is_initialized()


def test_the_single_backend_is_a_world_of_one(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("RANK", "0")
    clean_env.setenv("WORLD_SIZE", "2")
    with pytest.raises(WorldSizeError, match="a world of one process; this job has 2"):
        dist.init("single")
    with pytest.raises(ValueError, match="backend must be one of"):
        dist.init("gloo")


def test_rank_and_world_size_before_init_read_the_environment(
    clean_env: pytest.MonkeyPatch,
) -> None:
    assert (dist.rank(), dist.world_size(), dist.local_rank()) == (0, 1, 0)
    clean_env.setenv("RANK", "1")
    clean_env.setenv("WORLD_SIZE", "3")
    clean_env.setenv("LOCAL_RANK", "1")
    assert (dist.rank(), dist.world_size(), dist.local_rank()) == (1, 3, 1)
    with pytest.raises(DistributedError, match=r"not initialised: call .*init\(\) first"):
        dist.backend()


def test_init_shutdown_and_init_again(clean_env: pytest.MonkeyPatch) -> None:
    group = dist.init("single", expected_world_size=1)
    assert dist.is_initialized() and dist.backend() == "single"
    assert (group.rank, group.world_size) == (0, 1)
    with pytest.raises(DistributedError, match="already initialised"):
        dist.init("single")
    dist.barrier()
    dist.shutdown()
    assert not dist.is_initialized()
    dist.shutdown()  # a second shutdown does nothing
    dist.init("single")
    assert dist.is_initialized()


def test_the_nccl_id_port() -> None:
    """torchrun's own store listens on MASTER_PORT: dfdx_py's rendezvous takes the next one
    there; DFDX_STORE_PORT chooses it."""
    base = {"RANK": "0", "WORLD_SIZE": "2", "MASTER_PORT": "4000"}
    assert LaunchEnv.from_environ(base).store_port == 4000
    torchrun = {**base, "TORCHELASTIC_USE_AGENT_STORE": "True"}
    assert LaunchEnv.from_environ(torchrun).store_port == 4001
    assert LaunchEnv.from_environ({**torchrun, "DFDX_STORE_PORT": "5000"}).store_port == 5000


def test_the_mpi_backend_needs_mpiexec(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("RANK", "0")
    clean_env.setenv("WORLD_SIZE", "2")
    with pytest.raises(DistributedError, match="the mpi backend needs its processes started by"):
        dist.init("mpi")
