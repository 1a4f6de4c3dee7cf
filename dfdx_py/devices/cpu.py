"""``Cpu``: tensors in numpy arrays; every op's ``cpu.py`` kernel runs on them."""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx_py.devices.base import Device, astype_rounded
from dfdx_py.dtypes import DType

Array = np.ndarray[Any, Any]
"""The Cpu's storage: a numpy array (possibly a read-only view; kernels never write inputs)."""


class Cpu(Device):
    """The NumPy CPU device: ``dev = Cpu(seed=0)``.

    Matmul goes to numpy's BLAS; random numbers come from a seeded ``numpy.random.Generator``.
    Tensors on any two ``Cpu`` instances combine freely (they share memory).
    """

    kind = "cpu"

    def _from_numpy(self, array: Array) -> Array:
        return array

    def _to_numpy(self, data: Array) -> Array:
        return data

    def _full(self, shape: tuple[int, ...], dtype: type[DType], value: float) -> Array:
        np_dtype = dtype.numpy
        if np_dtype.itemsize == 2:  # f16/bf16: the Python float rounded once
            return np.full(shape, astype_rounded(np.array(value, np.float64), np_dtype))
        return np.full(shape, value, dtype=np_dtype)

    def _add(self, a: Array, b: Array) -> Array:
        return np.add(a, b)
