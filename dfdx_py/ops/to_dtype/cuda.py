"""to_dtype on the Cuda device: the conversion kernels of to_dtype.cu.

Every pair of f16, bf16, f32, f64, i64 and bool converts, both ways. f16 and bf16 (and the
AMP dtypes, stored as them) are 16-bit patterns converted with integer arithmetic, bit for
bit as numpy and ml_dtypes do.
"""

from typing import Any

import numpy as np

from dfdx_py.devices.cuda.context import suffix
from dfdx_py.devices.cuda.driver import driver_errors
from dfdx_py.devices.cuda.layout import strided_copy
from dfdx_py.dtypes import DType, i64
from dfdx_py.ops.to_dtype import TO_DTYPE


def convert(x: Any, dtype: np.dtype[Any], check_finite: type[DType] | None = None) -> Any:
    """``x`` converted to numpy ``dtype`` by ``convert_<src>_<dst>``. With ``check_finite``
    (float dtype ``x`` to i64) the kernel also counts NaN and infinite inputs; reading that
    count back is the one device-to-host transfer (it waits for the kernel), and a non-zero
    count raises ``ValueError`` as on the Cpu. Between dtypes of one storage (``f16`` and
    ``AMP[f16]``) it is a copy."""
    if dtype == x.dtype:
        return strided_copy(x.reshape((x.size,)), (x.size,), (1,)).reshape(x.shape)
    out = x.ctx.empty(x.shape, dtype)
    if not x.size:
        return out
    name = f"convert_{suffix(x.dtype)}_{suffix(dtype)}"
    if check_finite is None:
        x.ctx.launch("to_dtype", name, x.size, (x.size, x.ptr, out.ptr))
        return out
    bad = x.ctx.empty((1,), np.dtype(np.uint64))
    with driver_errors("zero a counter"):
        x.ctx.drv.memset_d8(bad.ptr, 0, bad.nbytes)
    x.ctx.launch("to_dtype", name, x.size, (x.size, x.ptr, out.ptr, bad.ptr))
    if x.ctx.to_host(bad)[0]:
        raise ValueError(f"to_dtype: cannot convert NaN or infinite {check_finite} values to i64")
    return out


@TO_DTYPE.register("cuda")
class ToDtypeCuda:
    def forward(self, x: Any, src: type[DType], dst: type[DType]) -> Any:
        return convert(x, dst.numpy, check_finite=src if src.is_float and dst is i64 else None)

    def backward(self, grad_y: Any, src: type[DType]) -> Any:
        return convert(grad_y, src.numpy)
