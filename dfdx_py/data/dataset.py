"""Datasets: anything with ``len`` and ``[i]`` (dfdx's ``ExactSizeDataset``), and
``ArrayDataset``, rows of numpy arrays."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar, runtime_checkable

import numpy as np

from dfdx_py.errors import ShapeError

T_co = TypeVar("T_co", covariant=True)

Array = np.ndarray[Any, Any]


@runtime_checkable
class ExactSizeDataset(Protocol[T_co]):
    """A dataset of known size: ``len(ds)`` items, ``ds[i]`` for ``i`` in ``range(len(ds))``
    (dfdx's ``ExactSizeDataset``, PyTorch's map-style ``Dataset``).

    Nothing to inherit: a list, a ``range``, a numpy array, an ``ArrayDataset`` or any class
    with these two methods is a dataset::

        class Squares:
            def __len__(self) -> int:
                return 10

            def __getitem__(self, i: int) -> tuple[int, int]:
                return i, i * i

        data.Loader(Squares()).batch(4)
    """

    def __len__(self) -> int: ...

    def __getitem__(self, index: int, /) -> T_co: ...


class ArrayDataset:
    """Row ``i`` of each array, as a tuple: ``ds[i] == (xs[i], ys[i])``; PyTorch's
    ``TensorDataset`` over numpy arrays (or anything ``numpy.asarray`` accepts).

    Items are numpy views (nothing is copied per item), so a ``Loader`` over an
    ``ArrayDataset`` stacks each batch in numpy and makes one tensor per batch::

        >>> x = np.arange(12, dtype=np.float32).reshape(6, 2)
        >>> y = np.array([0, 1, 0, 1, 1, 0])
        >>> ds = data.ArrayDataset(x, y)
        >>> len(ds), ds[1]
        (6, (array([2., 3.], dtype=float32), np.int64(1)))
        >>> xb, yb = next(iter(data.Loader(ds).batch(4).collate().stack(device=dev)))
        >>> xb.shape, xb.dtype, yb.shape, yb.dtype
        ((4, 2), f32, (4,), i64)

    Convert once here (``x.astype(np.float32)``), not per item: a numpy ``float64`` array
    becomes an ``f64`` tensor.
    """

    def __init__(self, *arrays: Any) -> None:
        if not arrays:
            raise TypeError("ArrayDataset needs at least one array")
        self.arrays: tuple[Array, ...] = tuple(np.asarray(a) for a in arrays)
        for i, a in enumerate(self.arrays):
            if a.ndim == 0:
                raise ShapeError(f"ArrayDataset: array {i} is a scalar; items are its rows")
        lengths = [len(a) for a in self.arrays]
        if len(set(lengths)) > 1:
            shapes = ", ".join(str(a.shape) for a in self.arrays)
            raise ShapeError(f"ArrayDataset: the arrays differ in length: shapes {shapes}")

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        if not -len(self) <= index < len(self):
            raise IndexError(f"ArrayDataset index {index} out of range for {len(self)} items")
        return tuple(a[index] for a in self.arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{a.shape} {a.dtype}" for a in self.arrays)
        return f"ArrayDataset({shapes})"
