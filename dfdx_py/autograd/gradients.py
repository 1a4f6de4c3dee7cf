"""``Gradients``: the store a backward pass fills, keyed by tensor id (dfdx's ``Gradients``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from dfdx_py.errors import TapeError

if TYPE_CHECKING:
    from dfdx_py.autograd.tape import Tape
    from dfdx_py.devices.base import Device
    from dfdx_py.dtypes import DType
    from dfdx_py.tensor import Tensor

S = TypeVar("S", bound=tuple[int, ...])
E = TypeVar("E", bound="DType")
D = TypeVar("D", bound="Device")


class Gradients:
    """A store of gradients, one per leaf tensor.

    Leaves are the tensors traced onto the store (``x.trace(grads)``, ``x.traced(grads)``) and
    the parameters a module registered with ``alloc_grads()``. A backward pass adds into the
    leaves' gradients (so repeated forward/backward accumulates, until ``zero_grads``) and drops
    the gradients of intermediate tensors as soon as they have been used.

    A *leaky* store (what ``x.trace()`` starts) also keeps the gradient of every untraced tensor
    the graph touched, such as the parameters of a model that never called ``alloc_grads``.
    """

    __slots__ = ("_by_id", "_leaky", "_leaves", "_live_tape")

    def __init__(self, *, leaky: bool = False) -> None:
        self._by_id: dict[int, Any] = {}
        self._leaves: set[int] = set()
        self._leaky = leaky
        self._live_tape: Tape | None = None

    def get(self, t: Tensor[S, E, D]) -> Tensor[S, E, D]:
        """The gradient of leaf ``t``, a tensor of ``t``'s shape, dtype and device.

        A registered leaf that has received no gradient yet reads as zeros.
        """
        from dfdx_py.tensor import wrap

        data = self._by_id.get(t.uid)
        if data is None:
            if t.uid not in self._leaves:
                raise TapeError(
                    f"no gradient for this tensor (shape {t.shape}, {t.dtype}): trace it onto "
                    "the store with x.trace(grads), or allocate it with model.alloc_grads()"
                )
            data = t.device._full(t.shape, t.dtype, 0)
        if tuple(data.shape) != t.shape:
            raise TapeError(f"internal error: gradient of shape {data.shape} for {t.shape}")
        return wrap(data, t.dtype, t.device)

    def storage(self, t: Tensor[Any, Any, Any]) -> Any:
        """The device storage of ``t``'s gradient, ``None`` when backward wrote none (for
        optimizers: a registered leaf that received nothing did not reach the loss)."""
        return self._by_id.get(t.uid)

    def __contains__(self, t: Tensor[Any, Any, Any]) -> bool:
        return t.uid in self._by_id

    def __len__(self) -> int:
        return len(self._by_id)

    def register(self, t: Tensor[Any, Any, Any]) -> None:
        """Make ``t`` a leaf of this store: backward keeps its gradient."""
        self._leaves.add(t.uid)

    def keeps(self, uid: int) -> bool:
        """Whether a backward pass keeps (and so must compute) the gradient of tensor ``uid``."""
        return self._leaky or uid in self._leaves

    def zero(self, tensors: Any = None) -> None:
        """Forget the gradients of ``tensors`` (all of them when ``None``); leaves stay leaves."""
        if tensors is None:
            self._by_id.clear()
            return
        for t in tensors:
            self._by_id.pop(t.uid, None)

    def accumulate(self, uid: int, grad: Any, device: Device) -> None:
        """Add ``grad`` into the gradient of tensor ``uid``. The store owns ``grad`` after."""
        current = self._by_id.get(uid)
        self._by_id[uid] = grad if current is None else device._add(current, grad)

    def pop(self, uid: int) -> Any:
        """Take the gradient of an intermediate tensor out of the store (``None`` if absent)."""
        if uid in self._leaves:
            return self._by_id.get(uid)
        return self._by_id.pop(uid, None)

    def absorb(self, other: Gradients) -> None:
        """Move every gradient and leaf of ``other`` into this store (merging two tapes)."""
        for uid, grad in other._by_id.items():
            current = self._by_id.get(uid)
            self._by_id[uid] = grad if current is None else grad + current
        self._leaves |= other._leaves
        self._leaky = self._leaky or other._leaky
        other._by_id = self._by_id
        other._leaves = self._leaves
