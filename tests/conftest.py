"""Shared fixtures: ``dev`` runs a test once per available device.

Hypothesis: no deadline (the first call of an op imports its kernels), and the ``dev``
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
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.load_profile("dfdx")


@pytest.fixture(params=device_params())
def dev(request: pytest.FixtureRequest) -> Device:
    """A fresh device (seed 0) of each available kind: ``cpu``, and ``cuda`` with a GPU."""
    return make_device(request.param)
