"""``Dropout`` (p = 0.5) and ``DropoutOneIn[N]`` (p = 1/N): active only in training mode."""

from __future__ import annotations

from typing import Any, ClassVar

from dfdx_py.nn.module import Module, is_training
from dfdx_py.tensor import Tensor

T = Tensor[Any, Any, Any]


class Dropout(Module):
    """In training mode (``forward_mut``), zeroes each element of a traced input with
    probability ``p`` = 0.5 and scales the others by ``1/(1-p)``; in inference (``model(x)``)
    the identity. PyTorch: ``torch.nn.Dropout(0.5)``. The mask comes from the device's
    seeded generator. Subclass to change ``p``::

        model = dev.build_module(tuple[nn.Linear[8, 8], nn.Dropout], f32)
        y = model.forward_mut(x.traced(grads))    # about half of y is 0

        class Dropout10(nn.Dropout):
            p = 0.1

    As the ``dropout`` op, it is active only on a traced tensor: an untraced input passes
    unchanged even in training mode (dfdx's rule: no tape, no training).
    """

    p: ClassVar[float] = 0.5

    def forward(self, x: T) -> T:
        return x.dropout(self.p) if is_training() else x


class DropoutOneIn(Dropout):
    """``Dropout`` with ``p = 1/N``: one element in ``N`` dropped on average (dfdx's
    ``DropoutOneIn<N>``; PyTorch: ``torch.nn.Dropout(1 / N)``). ``N >= 2``::

        model = dev.build_module(nn.DropoutOneIn[10], f32)   # p = 0.1
    """

    arch_params = ("n",)
    n: ClassVar[int]

    @classmethod
    def check_arch_args(cls, args: tuple[Any, ...]) -> dict[str, Any]:
        values = super().check_arch_args(args)
        n = values["n"]
        if n < 2:
            raise TypeError(f"{cls!r}: N must be an int >= 2 (p = 1/N < 1), got {n!r}")
        values["p"] = 1.0 / n
        return values
