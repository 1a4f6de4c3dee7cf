"""The fused Cuda update kernels of Sgd, Adam/AdamW and RMSprop against the Cpu kernels,
called directly on storage for several steps, with every option, in f32 and f64.

The kernels do what the Cpu kernels do operation by operation; they are compared within a
few ulps (a GPU contracts ``a * b + c`` into one fused multiply-add; the emulator gives the
Cpu's results exactly). Sizes include empty, rank-0 and sizes that take many grid-stride
steps. The whole optimizers against torch.optim run on Cuda in tests/optim.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import dfdx_py as dfdx
from dfdx_py.optim.adam import ADAM_UPDATE, AdamConfig
from dfdx_py.optim.rmsprop import RMSPROP_UPDATE, RMSpropConfig
from dfdx_py.optim.sgd import SGD_UPDATE, SgdConfig
from tests.checks import make_device

pytestmark = pytest.mark.cuda

SHAPES = [(), (0,), (7,), (3, 5), (5000,)]
DTYPES = {"f32": np.float32, "f64": np.float64}
RTOL = {np.dtype(np.float32): 2e-5, np.dtype(np.float64): 1e-12}
STEPS = 4


@pytest.fixture(scope="module")
def cuda(request: pytest.FixtureRequest) -> Any:
    return make_device("cuda", emulate=request.config.getoption("--cuda-emulator"))


@pytest.fixture(scope="module")
def cpu() -> Any:
    return dfdx.Cpu()


def close(got: Any, want: Any, what: str) -> None:
    assert got.shape == want.shape and got.dtype == want.dtype, what
    rtol = RTOL[want.dtype]
    scale = np.abs(want).max(initial=1.0)  # terms that cancel are of the size of the largest
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale, err_msg=what)


def run_both(
    cpu: Any,
    cuda: Any,
    op: Any,
    shape: tuple[int, ...],
    dtype: Any,
    state_names: list[str | None],
    call: Callable[[Any, int, Any, Any, list[Any]], Any],
) -> None:
    """``STEPS`` updates of one parameter on both devices from the same gradients; the
    parameter and every state buffer (``None`` names an absent one) compared after each."""
    rng = np.random.default_rng(zlib.crc32(repr((shape, dtype)).encode()))
    p_cpu = rng.standard_normal(shape).astype(dtype)
    p_cuda = cuda._from_numpy(p_cpu)
    states_cpu = [None if n is None else np.zeros(shape, dtype) for n in state_names]
    states_cuda = [None if s is None else cuda._from_numpy(s) for s in states_cpu]
    for step in range(1, STEPS + 1):
        g = (rng.standard_normal(shape) * 3).astype(dtype)
        p_cpu = call(op.kernel(cpu), step, p_cpu, g, states_cpu)
        p_cuda = call(op.kernel(cuda), step, p_cuda, cuda._from_numpy(g), states_cuda)
        close(cuda._to_numpy(p_cuda), p_cpu, f"param after step {step}")
        for name, s_cpu, s_cuda in zip(state_names, states_cpu, states_cuda, strict=True):
            if name is not None:
                close(cuda._to_numpy(s_cuda), s_cpu, f"{name} after step {step}")


SGD_CASES = {
    "plain": SgdConfig(0.1, None, False, None, False),
    "classic": SgdConfig(0.1, 0.9, False, None, False),
    "nesterov": SgdConfig(0.05, 0.8, True, None, False),
    "l2": SgdConfig(0.1, None, False, 0.3, False),
    "nesterov_l2": SgdConfig(0.1, 0.5, True, 0.1, False),
    "classic_decoupled": SgdConfig(0.2, 0.9, False, 0.1, True),
    "zero_momentum": SgdConfig(0.1, 0.0, False, None, False),
}


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("case", list(SGD_CASES))
def test_sgd_kernel(cpu, cuda, case, dtype, shape):
    cfg = SGD_CASES[case]
    run_both(
        cpu,
        cuda,
        SGD_UPDATE,
        shape,
        DTYPES[dtype],
        [None if cfg.momentum is None else "velocity"],
        lambda k, t, p, g, s: k.update(cfg, p, g, s[0]),
    )


ADAM_CASES = {
    "default": AdamConfig(1e-3, (0.9, 0.999), 1e-8, None, False),
    "custom": AdamConfig(0.05, (0.5, 0.25), 1e-6, None, False),
    "l2": AdamConfig(0.01, (0.9, 0.999), 1e-8, 0.1, False),
    "adamw": AdamConfig(0.02, (0.8, 0.99), 1e-7, 0.3, True),
}


@pytest.mark.parametrize("shape", SHAPES, ids=str)  # () once broke the Cpu fast path
@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("case", list(ADAM_CASES))
def test_adam_kernel(cpu, cuda, case, dtype, shape):
    cfg = ADAM_CASES[case]
    run_both(
        cpu,
        cuda,
        ADAM_UPDATE,
        shape,
        DTYPES[dtype],
        ["moment1", "moment2"],
        lambda k, t, p, g, s: k.update(cfg, t, p, g, s[0], s[1]),
    )


RMSPROP_CASES = {
    "plain": RMSpropConfig(0.01, 0.9, 1e-8, None, False, None, False),
    "momentum": RMSpropConfig(0.01, 0.9, 1e-8, 0.5, False, None, False),
    "centered": RMSpropConfig(0.02, 0.5, 1e-3, None, True, None, False),
    "centered_momentum_l2": RMSpropConfig(0.01, 0.9, 1e-8, 0.9, True, 0.1, False),
    "momentum_decoupled": RMSpropConfig(0.01, 0.8, 1e-8, 0.5, False, 0.1, True),
    "centered_decoupled": RMSpropConfig(0.01, 0.9, 1e-6, None, True, 0.2, True),
}


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("case", list(RMSPROP_CASES))
def test_rmsprop_kernel(cpu, cuda, case, dtype, shape):
    cfg = RMSPROP_CASES[case]
    run_both(
        cpu,
        cuda,
        RMSPROP_UPDATE,
        shape,
        DTYPES[dtype],
        [
            "square_avg",
            "grad_avg" if cfg.centered else None,
            None if cfg.momentum is None else "velocity",
        ],
        lambda k, t, p, g, s: k.update(cfg, p, g, s[0], s[1], s[2]),
    )


def test_the_parameter_gets_fresh_storage_and_the_state_is_updated_in_place(cuda):
    p = cuda._from_numpy(np.ones(5, np.float32))
    g = cuda._from_numpy(np.full(5, 2.0, np.float32))
    m = cuda._from_numpy(np.zeros(5, np.float32))
    v = cuda._from_numpy(np.zeros(5, np.float32))
    cfg = AdamConfig(0.1, (0.9, 0.999), 1e-8, None, False)
    out = ADAM_UPDATE.kernel(cuda).update(cfg, 1, p, g, m, v)
    assert out.ptr != p.ptr
    np.testing.assert_array_equal(cuda._to_numpy(p), np.ones(5, np.float32))
    np.testing.assert_allclose(cuda._to_numpy(out), np.full(5, 0.9, np.float32), rtol=1e-6)
    np.testing.assert_allclose(cuda._to_numpy(m), np.full(5, 0.2, np.float32), rtol=1e-6)
    np.testing.assert_allclose(cuda._to_numpy(v), np.full(5, 0.004, np.float32), rtol=1e-6)


def test_the_kernel_also_runs_in_place(cuda):
    """``out`` may be ``param``: each element is read before it is written."""
    n = 3000
    p = cuda._from_numpy(np.arange(n, dtype=np.float64))
    g = cuda._from_numpy(np.ones(n))
    scalars = (np.float64(1), np.float64(0.5), np.float64(0), np.float64(0), np.float64(0))
    cuda.ctx.launch("sgd", "sgd_update_f64", n, (n, 0, p.ptr, g.ptr, 0, p.ptr, 0, *scalars))
    np.testing.assert_array_equal(cuda._to_numpy(p), np.arange(n) - 0.5)
