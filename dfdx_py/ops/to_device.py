"""to_device: a tensor copied to another device (``Tensor.to``); gradients flow back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from dfdx_py.autograd.tape import record
from dfdx_py.devices.base import Device
from dfdx_py.type_vars import E, S

if TYPE_CHECKING:
    from dfdx_py.tensor import Tensor

D2 = TypeVar("D2", bound=Device)


def copy_storage(data: Any, src: Device, dst: Device) -> Any:
    """Storage of ``src`` holding ``data`` moved to ``dst``, through a numpy array."""
    return dst._from_numpy(src._to_numpy(data))


def to_device(x: Tensor[S, E, Any], device: D2) -> Tensor[S, E, D2]:
    """``x`` on ``device``, same shape and dtype. PyTorch: ``x.to(device)``::

        >>> x = dev.tensor([1.0, 2.0]).to(Cpu(seed=1))   # Cpu to Cpu: x itself

    When ``device == x.device`` (devices that share memory, such as any two ``Cpu``) the
    result is ``x`` itself. Otherwise the values are copied through numpy; on a traced
    ``x`` the backward pass moves the gradient back to ``x``'s device.
    """
    from dfdx_py.tensor import wrap

    if not isinstance(device, Device):
        raise TypeError(f"to: expected a device such as Cpu(), got {type(device).__name__}")
    src = x.device
    if device == src:
        return x
    out = wrap(copy_storage(x._data, src, device), x.dtype, device)
    if x._tape is not None:
        record(
            out,
            (x,),
            lambda grad_y, needs: (copy_storage(grad_y, device, src),),
            across_devices=True,
        )
    return out
