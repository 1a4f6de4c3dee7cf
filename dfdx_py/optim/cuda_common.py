"""What the optimizers' Cuda kernels share."""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx_py.devices.cuda.context import HALF, state_suffix, suffix
from dfdx_py.devices.cuda.storage import CudaArray
from dfdx_py.errors import DeviceError


def update_kernel(
    what: str, name: str, param: CudaArray, master: CudaArray | None, *states: np.dtype[Any]
) -> tuple[str, int, int]:
    """The update kernel for ``param`` with state buffers of dtypes ``states``, the pointer it
    reads the parameter from, and the pointer it writes the f32 master weights to (0: none).

    An AMP parameter (``master`` given) runs ``NAME_amp_f16`` / ``NAME_amp_bf16``, which read
    the f32 master, the half gradient and f32 state, step the master in place and write it
    rounded to half precision; any other parameter runs ``NAME_`` + ``state_suffix``."""
    if master is None:
        return f"{name}_{state_suffix(what, param.dtype, *states)}", param.ptr, 0
    f32 = np.dtype(np.float32)
    if param.dtype not in HALF or master.dtype != f32 or any(s != f32 for s in states):
        held = ", ".join(str(s) for s in states)
        raise DeviceError(
            f"{what}: AMP updates need a half parameter with f32 master weights and f32 "
            f"state, got a {param.dtype} parameter, a {master.dtype} master and {held} state"
        )
    return f"{name}_amp_{suffix(param.dtype)}", master.ptr, master.ptr
