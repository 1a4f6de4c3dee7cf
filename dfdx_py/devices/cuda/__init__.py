"""The Cuda device: PyCUDA's driver API, the project's own PTX kernels, cuBLAS via ctypes.

Importing this package never imports PyCUDA; ``Cuda()`` does, and raises a ``DeviceError``
on a machine without it or without a GPU.
"""

from dfdx_py.devices.cuda.device import Cuda, cuda_unavailable_reason

__all__ = ["Cuda", "cuda_unavailable_reason"]
