"""Devices: ``Cpu`` (numpy) and, with a GPU, ``Cuda`` (PyCUDA + our own PTX kernels)."""

from dfdx_py.devices.base import Device
from dfdx_py.devices.cpu import Cpu

__all__ = ["Cpu", "Device"]
