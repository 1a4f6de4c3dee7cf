"""``one_hot_encode`` and ``arange``: dfdx's ``OneHotEncode`` and ``Arange`` device traits."""

from __future__ import annotations

from typing import Any, overload

import numpy as np

from dfdx_py.dtypes import DType, as_dtype, f32, i64
from dfdx_py.errors import DTypeError, ShapeError
from dfdx_py.tensor import Tensor
from dfdx_py.type_vars import D, E


@overload
def one_hot_encode(
    labels: Tensor[Any, Any, D], n_classes: int, device: None = None
) -> Tensor[Any, f32, D]: ...
@overload
def one_hot_encode(
    labels: Tensor[Any, Any, D], n_classes: int, device: None = None, *, dtype: type[E]
) -> Tensor[Any, E, D]: ...
@overload
def one_hot_encode(labels: Any, n_classes: int, device: D) -> Tensor[Any, f32, D]: ...
@overload
def one_hot_encode(labels: Any, n_classes: int, device: D, dtype: type[E]) -> Tensor[Any, E, D]: ...
def one_hot_encode(
    labels: Any, n_classes: int, device: Any = None, dtype: Any = f32
) -> Tensor[Any, Any, Any]:
    """Class labels as one-hot rows: shape ``labels.shape + (n_classes,)``, 1 at each label's
    class and 0 elsewhere (dfdx's ``dev.one_hot_encode(n, labels)``,
    ``torch.nn.functional.one_hot(labels, n).float()``)::

        >>> data.one_hot_encode([0, 2, 1], 3, dev).numpy()
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]], dtype=float32)

    ``labels``: an ``i64`` tensor, or ints (a list, a numpy integer array) of any shape.
    ``device``: where the result lives; by default the labels tensor's device.
    ``dtype``: of the result, ``f32`` by default (the targets of
    ``losses.cross_entropy_with_logits_loss``). A label outside ``range(n_classes)`` raises
    ``ValueError`` naming it and its position.
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)):
        raise TypeError(f"one_hot_encode: n_classes must be an int, got {n_classes!r}")
    if n_classes < 1:
        raise ValueError(f"one_hot_encode: n_classes must be at least 1, got {n_classes}")
    if isinstance(labels, Tensor):
        if labels.dtype is not i64:
            raise DTypeError(f"one_hot_encode: labels must be an i64 tensor, got {labels.dtype}")
        device = labels.device if device is None else device
        array = labels.numpy()
    else:
        if device is None:
            raise TypeError("one_hot_encode: give a device when the labels are not a tensor")
        array = np.asarray(labels)
        if array.size == 0 and array.dtype.kind == "f":
            array = array.astype(np.int64)  # np.asarray([]) is float64
        if array.dtype.kind not in "iu":
            raise DTypeError(f"one_hot_encode: labels must be ints, got an array of {array.dtype}")
    bad = (array < 0) | (array >= n_classes)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        position = where[0] if len(where) == 1 else where
        raise ValueError(
            f"one_hot_encode: label {array[where]} at position {position} is out of range "
            f"for {n_classes} classes (labels must be in 0..{n_classes - 1})"
        )
    dt = as_dtype(dtype)
    out = np.zeros((*array.shape, int(n_classes)), dtype=dt.numpy)
    np.put_along_axis(out, array.astype(np.int64)[..., None], 1, axis=-1)
    result: Tensor[Any, Any, Any] = device.tensor(out)
    return result


@overload
def arange(n: int, device: D) -> Tensor[tuple[int], i64, D]: ...
@overload
def arange(n: int, device: D, dtype: type[E]) -> Tensor[tuple[int], E, D]: ...
def arange(n: int, device: Any, dtype: Any = i64) -> Tensor[Any, Any, Any]:
    """``[0, 1, ..., n - 1]`` as a tensor of ``dtype`` (dfdx's ``dev.arange::<E>(n)``;
    ``torch.arange(n, dtype=...)``). With the default ``i64`` it is ``dev.arange(n)``::

        >>> data.arange(4, dev, f32).numpy()
        array([0., 1., 2., 3.], dtype=float32)

    Float dtypes hold every index exactly up to 2**11 (``f16``), 2**8 (``bf16``), 2**24
    (``f32``) and 2**53 (``f64``).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ShapeError(f"arange: n must be an int >= 0, got {n!r}")
    dt: type[DType] = as_dtype(dtype)
    if dt is not i64 and not dt.is_float:
        raise DTypeError(f"arange: dtype must be i64 or a float dtype, got {dt}")
    result: Tensor[Any, Any, Any] = device.tensor(np.arange(int(n)).astype(dt.numpy))
    return result
