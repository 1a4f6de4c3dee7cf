"""The numpy error function behind accurate_gelu, against ``math.erf``/``math.erfc``."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dfdx_py.ops.accurate_gelu.erf import erf, erfc

ULP = 2.0**-52


def _points() -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.concatenate(
        [
            np.linspace(-7.0, 7.0, 20001),  # both regions and the switch at |x| = 2
            np.nextafter(2.0, [-np.inf, np.inf]),
            -np.nextafter(2.0, [-np.inf, np.inf]),
            rng.uniform(-30.0, 30.0, 5000),
            rng.standard_normal(5000),
            np.geomspace(1e-300, 1.0, 2000),
            -np.geomspace(1e-300, 1.0, 2000),
            [0.0, -0.0, 5e-324, 26.0, 27.0, 28.0, 1e10, 1e300],
        ]
    )


def _rel_err(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    scale = np.maximum(np.abs(want), np.finfo(np.float64).tiny)
    return np.where(got == want, 0.0, np.abs(got - want) / scale)


def test_erf_matches_math_erf_to_1e15():
    x = _points()
    want = np.array([math.erf(v) for v in x])
    got = erf(x)
    assert got.dtype == np.float64 and got.shape == x.shape
    assert _rel_err(got, want).max() <= 8 * ULP  # about 1.8e-15


def test_erfc_matches_math_erfc():
    x = _points()
    want = np.array([math.erfc(v) for v in x])
    got = erfc(x)
    rel = _rel_err(got, want)
    # relative accuracy wherever |x| >= 2, the far positive tail included ...
    assert rel[np.abs(x) >= 2].max() <= 8 * ULP
    # ... and 1 - erf(x) to an absolute 2e-15 in between (erfc >= 4.6e-3 there)
    inner = np.abs(x) < 2
    assert np.abs(got - want)[inner].max() <= 8 * ULP
    assert rel[inner].max() <= 5e-13


def test_erf_special_values():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e308, -1e308])
    got = erf(x)
    assert got[0] == 0.0 and not np.signbit(got[0])
    assert got[1] == 0.0 and np.signbit(got[1])  # odd: erf(-0) = -0
    assert got[2:4].tolist() == [1.0, -1.0]
    assert np.isnan(got[4])
    assert got[5:].tolist() == [1.0, -1.0]
    c = erfc(x)
    assert c[:4].tolist() == [1.0, 1.0, 0.0, 2.0]
    assert np.isnan(c[4])
    assert c[5:].tolist() == [0.0, 2.0]


def test_erf_is_odd_and_erfc_complements():
    x = np.linspace(0.0, 8.0, 1001)
    np.testing.assert_array_equal(erf(-x), -erf(x))
    np.testing.assert_allclose(erf(x) + erfc(x), 1.0, rtol=0, atol=2 * ULP)
    np.testing.assert_allclose(erfc(-x), 2.0 - erfc(x), rtol=0, atol=4 * ULP)


def test_erf_shapes_and_scalars():
    assert erf(0.5).shape == ()
    assert abs(float(erf(0.5)) - math.erf(0.5)) <= ULP
    x = np.linspace(-3, 3, 24).reshape(2, 3, 4)
    assert erf(x).shape == (2, 3, 4)
    assert erf(np.zeros((0, 3))).shape == (0, 3)
    f32 = np.array([0.5, -1.5], dtype=np.float32)
    np.testing.assert_allclose(erf(f32), [math.erf(0.5), math.erf(-1.5)], rtol=1e-15)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_erf_any_float(v):
    assert abs(float(erf(v)) - math.erf(v)) <= 8 * ULP * max(abs(math.erf(v)), 1e-308)
    want = math.erfc(v)
    got = float(erfc(v))
    if abs(v) >= 2:
        assert abs(got - want) <= 8 * ULP * max(want, 1e-308) or want < 1e-300
    else:
        assert abs(got - want) <= 8 * ULP
