"""to_dtype on the Cpu: numpy's casts, rounded once (``devices.base.astype_rounded``)."""

from typing import Any

import numpy as np

from dfdx_py.devices.base import astype_rounded
from dfdx_py.dtypes import DType, i64
from dfdx_py.ops.to_dtype import TO_DTYPE

Array = np.ndarray[Any, Any]


@TO_DTYPE.register("cpu")
class ToDtypeCpu:
    def forward(self, x: Array, src: type[DType], dst: type[DType]) -> Array:
        if src.is_float and dst is i64 and not np.isfinite(x).all():
            raise ValueError(f"to_dtype: cannot convert NaN or infinite {src} values to i64")
        return astype_rounded(x, dst.numpy)

    def backward(self, grad_y: Array, src: type[DType]) -> Array:
        return astype_rounded(grad_y, src.numpy)
