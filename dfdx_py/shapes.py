"""Shape spellings: ``Const``, ``Dyn`` and ``Rank0`` .. ``Rank6``.

A shape is a tuple type of dims. A static dim is ``Const[5]`` (which *is* ``Literal[5]``);
a runtime dim is ``Dyn`` (which *is* ``int``). The ``RankN`` sugar takes bare ints, ``Dyn`` or
a ``TypeVar`` bound to ``int``::

    Rank2[2, 3]        == tuple[Literal[2], Literal[3]]
    Rank2[B, 784]      == tuple[B, Literal[784]]
    Rank1[Dyn]         == tuple[int]

At run time these are real ``tuple[...]`` aliases, so ``Tensor[Rank2[2, 3], f32, Cpu]`` is a
valid value. Statically the ``dfdx_mypy`` plugin turns ``Rank2[2, 3]`` into the same tuple
type; without the plugin mypy does not understand bare ints as type arguments (spell the
shape ``tuple[Const[2], Const[3]]`` instead, which needs no plugin).

This module also holds the small runtime helpers every op uses: normalising an axis
argument and formatting a shape for an error message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from dfdx_py.errors import ShapeError

__all__ = [
    "Const",
    "Dyn",
    "Rank0",
    "Rank1",
    "Rank2",
    "Rank3",
    "Rank4",
    "Rank5",
    "Rank6",
    "Shape",
    "check_shape",
    "fmt_shape",
    "normalize_axes",
    "normalize_axis",
]

Shape: TypeAlias = tuple[int, ...]
"""The runtime value of a shape: a tuple of ints."""

Dyn: TypeAlias = int
"""A dim whose size is known only at run time."""

Rank0: TypeAlias = tuple[()]
"""The shape of a scalar tensor."""

if TYPE_CHECKING:
    from typing import Literal as Const
else:
    Const = Literal


def _dim_type(dim: Any) -> Any:
    """The type of one dim written inside ``RankN[...]``: ints become ``Literal``."""
    if isinstance(dim, bool) or not isinstance(dim, int):
        return dim  # Dyn (int), a TypeVar, or an already-built Literal[...]
    if dim < 0:
        raise ShapeError(f"a static dim must be >= 0, got {dim}")
    return Literal[dim]


class _RankMeta(type):
    """Metaclass giving ``RankN[d0, ..., dN-1]`` its runtime meaning."""

    rank: int

    def __getitem__(cls, dims: Any) -> Any:
        if not isinstance(dims, tuple):
            dims = (dims,)
        if len(dims) != cls.rank:
            raise TypeError(f"{cls.__name__} takes {cls.rank} dims, got {len(dims)}")
        return tuple.__class_getitem__(tuple(_dim_type(d) for d in dims))

    def __repr__(cls) -> str:
        return f"dfdx_py.{cls.__name__}"


class Rank1(metaclass=_RankMeta):
    """``Rank1[N]`` is ``tuple[Literal[N]]``."""

    rank = 1


class Rank2(metaclass=_RankMeta):
    """``Rank2[M, N]`` is ``tuple[Literal[M], Literal[N]]``."""

    rank = 2


class Rank3(metaclass=_RankMeta):
    """``Rank3[A, B, C]``: a rank-3 shape."""

    rank = 3


class Rank4(metaclass=_RankMeta):
    """``Rank4[A, B, C, D]``: a rank-4 shape."""

    rank = 4


class Rank5(metaclass=_RankMeta):
    """``Rank5[A, B, C, D, E]``: a rank-5 shape."""

    rank = 5


class Rank6(metaclass=_RankMeta):
    """``Rank6[A, B, C, D, E, F]``: a rank-6 shape."""

    rank = 6


def fmt_shape(shape: Shape) -> str:
    """``(2, 3)`` for a shape; ``(4,)`` and ``()`` like Python tuples."""
    return repr(tuple(shape))


def normalize_axis(op: str, axis: int, ndim: int, shape: Shape) -> int:
    """Turn a possibly negative ``axis`` into ``0 <= axis < ndim`` or raise ``ShapeError``."""
    if not -ndim <= axis < ndim:
        raise ShapeError(
            f"{op}: axis {axis} is out of range for shape {fmt_shape(shape)} (rank {ndim})"
        )
    return axis + ndim if axis < 0 else axis


def normalize_axes(op: str, axis: int | tuple[int, ...] | None, shape: Shape) -> tuple[int, ...]:
    """Sorted, non-negative, distinct axes; ``None`` means every axis."""
    ndim = len(shape)
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        return (normalize_axis(op, axis, ndim, shape),)
    axes = tuple(normalize_axis(op, a, ndim, shape) for a in axis)
    if len(set(axes)) != len(axes):
        raise ShapeError(f"{op}: repeated axis in {axis} for shape {fmt_shape(shape)}")
    return tuple(sorted(axes))


def check_shape(shape: Any, op: str = "shape") -> Shape:
    """Validate a shape given as a value: a tuple (or list) of non-negative ints."""
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise ShapeError(f"{op}: a shape must be a tuple of ints, got {shape!r}") from None
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, int) or d < 0:
            raise ShapeError(f"{op}: a shape must be a tuple of ints >= 0, got {shape!r}")
    return tuple(int(d) for d in dims)
