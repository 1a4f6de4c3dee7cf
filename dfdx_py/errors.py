"""The errors dfdx_py raises. Each names the op and the shapes, dtypes or devices involved."""

from __future__ import annotations


class ShapeError(ValueError):
    """Shapes do not fit an op: mismatched dims, a bad axis, a non-Rank0 ``backward()``."""


class DTypeError(TypeError):
    """Tensors of different dtypes were combined, or an op does not support a dtype."""


class DeviceError(RuntimeError):
    """Tensors on different devices were combined, or a device is unusable."""


class TapeError(RuntimeError):
    """Misuse of the gradient tape: backward on an untraced tensor, a missing gradient."""


def first_mismatch(a: tuple[int, ...], b: tuple[int, ...]) -> str:
    """``"axis 1: 3 != 4"`` for the first differing axis, or a rank note."""
    if len(a) != len(b):
        return f"rank {len(a)} != {len(b)}"
    for axis, (x, y) in enumerate(zip(a, b, strict=True)):
        if x != y:
            return f"axis {axis}: {x} != {y}"
    return "shapes are equal"


def shapes_differ(op: str, a: tuple[int, ...], b: tuple[int, ...], hint: str = "") -> ShapeError:
    """The error for two shapes that must be equal (dfdx_py never broadcasts implicitly)."""
    msg = f"{op}: shapes differ: {a!r} vs {b!r}: {first_mismatch(a, b)}"
    if hint:
        msg += f" ({hint})"
    return ShapeError(msg)
