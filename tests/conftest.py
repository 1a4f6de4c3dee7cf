"""Shared fixtures: ``dev`` runs a test once per available device.

Hypothesis: no deadline (the first call of an op imports its kernels), derandomized so a run
is reproducible (``--hypothesis-profile=explore`` draws new examples), and the ``dev``
fixture is safe to share between examples (checks never draw from a device's generator).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from dfdx_py.devices.base import Device
from tests.checks import device_params, make_device

settings.register_profile(
    "dfdx",
    deadline=None,
    max_examples=20,
    derandomize=True,  # the same examples on every run: CI never flakes on a new draw
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.register_profile(  # pytest --hypothesis-profile=explore: new random examples
    "explore", parent=settings.get_profile("dfdx"), derandomize=False, max_examples=100
)
settings.register_profile(  # pytest --hypothesis-profile=gpu: the GPU run (scripts/gpu_check.sh)
    "gpu", parent=settings.get_profile("dfdx"), max_examples=6
)
settings.load_profile("dfdx")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cuda-emulator",
        action="store_true",
        help="without a GPU, run the cuda tests on the CPU emulation of the Cuda device",
    )


@pytest.fixture(params=device_params())
def dev(request: pytest.FixtureRequest) -> Device:
    """A fresh device (seed 0) of each kind: ``cpu``, and ``cuda`` (the GPU; without one the
    emulator under ``--cuda-emulator``, else skipped with the reason)."""
    return make_device(request.param, emulate=request.config.getoption("--cuda-emulator"))
