"""``Op``: one op's kernels, one per device kind, loaded on first use.

An op folder ``ops/<name>/`` creates its ``Op`` in ``__init__.py``; the kernels live in
``cpu.py`` (and later ``cuda.py``) and register themselves with ``@OP.kernel("cpu")``. The
first call of the op on a device imports that device's kernel module, so a machine without
PyCUDA never imports a ``cuda.py``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from dfdx_py.errors import DeviceError

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device

K = TypeVar("K")
KernelClass = TypeVar("KernelClass", bound=type)

ALL_OPS: dict[str, Op[Any]] = {}
"""Every op created so far, by name (tests and the Cuda device walk it)."""


class Op(Generic[K]):
    """A named op; ``op.kernel(device)`` is its kernel object for ``device.kind``."""

    __slots__ = ("kernels", "name", "package")

    def __init__(self, name: str, package: str) -> None:
        self.name = name
        self.package = package
        self.kernels: dict[str, K] = {}
        ALL_OPS[name] = self

    def kernel(self, device: Device) -> K:
        """The kernel of this op for ``device`` (imported on first use)."""
        kernel = self.kernels.get(device.kind)
        if kernel is None:
            kernel = self._load(device.kind)
        return kernel

    def register(self, kind: str) -> Callable[[KernelClass], KernelClass]:
        """Class decorator: ``@RELU.register("cpu")`` stores an instance as the cpu kernel."""

        def decorate(cls: KernelClass) -> KernelClass:
            self.kernels[kind] = cls()
            return cls

        return decorate

    def _load(self, kind: str) -> K:
        try:
            importlib.import_module(f"{self.package}.{kind}")
        except ModuleNotFoundError as e:
            if e.name != f"{self.package}.{kind}":
                raise
        kernel = self.kernels.get(kind)
        if kernel is None:
            raise DeviceError(f"{self.name}: no kernel for the {kind} device yet")
        return kernel

    def __repr__(self) -> str:
        return f"Op({self.name!r})"
