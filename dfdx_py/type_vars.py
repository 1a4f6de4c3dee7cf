"""The type variables op signatures share: a shape ``S``, a dtype ``E``, a device ``D``."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from dfdx_py.dtypes import DType

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device

S = TypeVar("S", bound=tuple[int, ...])
E = TypeVar("E", bound=DType)
D = TypeVar("D", bound="Device")
