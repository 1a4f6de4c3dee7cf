"""``clean_env``: no launcher variables from outside, and ``dist`` shut down after the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dfdx_py import distributed as dist

LAUNCH_VARIABLES = (
    "OMPI_COMM_WORLD_RANK",
    "OMPI_COMM_WORLD_SIZE",
    "OMPI_COMM_WORLD_LOCAL_RANK",
    "OMPI_COMM_WORLD_LOCAL_SIZE",
    "PMI_RANK",
    "PMI_SIZE",
    "RANK",
    "WORLD_SIZE",
    "LOCAL_RANK",
    "LOCAL_WORLD_SIZE",
    "MASTER_ADDR",
    "MASTER_PORT",
    "TORCHELASTIC_USE_AGENT_STORE",
    "DFDX_STORE_PORT",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No launcher variables from the outside; ``dist`` not initialised before or after."""
    for name in LAUNCH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch
    dist.shutdown()
