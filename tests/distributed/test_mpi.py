"""Data-parallel training through MPI on the Cpu: 2 ranks under ``mpiexec`` end where one
process with the doubled batch does, and a failing rank ends the job instead of hanging it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.distributed.launching import ROOT, WORKER, needs_mpi, run, run_mpi, run_python
from tests.test_mnist import make_mnist

pytestmark = needs_mpi


def test_two_ranks_train_like_one_process_with_the_doubled_batch(tmp_path: Path) -> None:
    """5 steps of Sgd (momentum) and of Adam on an f64 MLP: both ranks end with the same
    weights, equal to the reference's within 1e-6 (relative)."""
    result = run_mpi(2, [str(WORKER), "--out", str(tmp_path)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rank 0 of 2 (mpi): done, ranks sum to 1.0" in result.stdout
    reference = run_python([str(WORKER), "--out", str(tmp_path), "--reference", "--world", "2"])
    assert reference.returncode == 0, reference.stdout + reference.stderr
    with (
        np.load(tmp_path / "rank0.npz") as rank0,
        np.load(tmp_path / "rank1.npz") as rank1,
        np.load(tmp_path / "reference.npz") as ref,
    ):
        assert sorted(rank0) == sorted(ref) and len(ref) == 8  # 2 optimizers x 4 tensors
        for name in ref:
            assert np.array_equal(rank0[name], rank1[name]), name  # the ranks agree exactly
            np.testing.assert_allclose(rank0[name], ref[name], rtol=1e-6, atol=1e-12, err_msg=name)


def test_the_reference_depends_on_the_batch(tmp_path: Path) -> None:
    """The comparison above can fail: one process with the per-rank batch (not doubled)
    ends elsewhere."""
    for world, name in ((2, "doubled"), (1, "single")):
        out = tmp_path / name
        result = run_python([str(WORKER), "--out", str(out), "--reference", "--world", str(world)])
        assert result.returncode == 0, result.stderr
    with (
        np.load(tmp_path / "doubled" / "reference.npz") as a,
        np.load(tmp_path / "single" / "reference.npz") as b,
    ):
        assert not np.allclose(a["adam.0.weight"], b["adam.0.weight"], rtol=1e-3)


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("raise", "rank 1 of 2: stopped on an uncaught RuntimeError; aborting the whole job"),
        ("exit", "rank 1 of 2: exiting, but not every other rank reached the end"),
        ("kill", "exited with non-zero status"),
    ],
)
def test_a_dying_rank_ends_the_job_with_an_error(tmp_path: Path, mode: str, message: str) -> None:
    """Rank 1 raises, calls sys.exit(3) or os._exit(3) at step 2 while rank 0 waits in the
    all-reduce: the job ends (no hang) with a non-zero status and says why."""
    result = run_mpi(
        2,
        [str(WORKER), "--out", str(tmp_path), "--fail", mode],
        timeout=60,
        DFDX_DISTRIBUTED_EXIT_TIMEOUT="2",
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert message in output, output
    if mode == "raise":
        assert "RuntimeError: rank 1 fails on purpose" in output  # the traceback comes first
    assert not (tmp_path / "rank0.npz").exists()


def test_a_world_size_mismatch_names_both_sizes() -> None:
    script = "from dfdx_py import distributed as dist; dist.init(expected_world_size=4)"
    result = run_mpi(2, ["-c", script], timeout=60)
    assert result.returncode != 0
    assert (
        "this program expects 4 processes but the launcher started 2 "
        "(OMPI_COMM_WORLD_RANK=" in result.stderr
    ), result.stderr


def test_mnist_distributed_ends_where_one_process_with_the_doubled_batch_does(
    tmp_path: Path,
) -> None:
    """examples/mnist.py --distributed on 2 ranks with batch 16 against one process with
    batch 32: the same weights (f32: within rounding) and the same report."""
    make_mnist(tmp_path, n_train=256, n_test=64)
    mnist = str(ROOT / "examples" / "mnist.py")
    common = ["--data", str(tmp_path), "--epochs", "2"]
    two = run_mpi(
        2, [mnist, *common, "--distributed", "--batch-size", "16", "--out", str(tmp_path / "two")]
    )
    assert two.returncode == 0, two.stdout + two.stderr
    assert "data-parallel: 2 processes (mpi), batch 16 each, 32 in all" in two.stdout
    assert two.stdout.count("test accuracy:") == 1  # rank 0 reports
    one = run_python([mnist, *common, "--batch-size", "32", "--out", str(tmp_path / "one")])
    assert one.returncode == 0, one.stdout + one.stderr
    losses = [re.findall(r"epoch \d+: loss ([0-9.]+)", r.stdout) for r in (two, one)]
    assert losses[0] == losses[1] and len(losses[0]) == 2, losses
    with np.load(tmp_path / "two" / "mlp.npz") as a, np.load(tmp_path / "one" / "mlp.npz") as b:
        for name in b:
            np.testing.assert_allclose(a[name], b[name], rtol=1e-5, atol=1e-6, err_msg=name)


def test_launch_runs_mpiexec(tmp_path: Path) -> None:
    """``python -m dfdx_py.distributed.launch -n 2`` starts the ranks (root-safe flags); a
    program that forgets ``shutdown()`` still ends cleanly (the ranks meet at exit)."""
    script = tmp_path / "hello.py"
    script.write_text(
        "from dfdx_py import distributed as dist\n"
        "dist.init()\n"
        "print(f'rank {dist.rank()} of {dist.world_size()} {dist.backend()}')\n"
    )
    result = run(
        [sys.executable, "-m", "dfdx_py.distributed.launch", "-n", "2", str(script)], timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.split("\n")[:2]) == ["rank 0 of 2 mpi", "rank 1 of 2 mpi"]
