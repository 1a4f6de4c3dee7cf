"""The tape: a flat list of backward closures run in reverse order (dfdx's ``OwnedTape``).

Every op that has a traced input calls :func:`record` once with its output, its inputs and
a closure ``backward(grad_out, needs) -> grads of the inputs``. That is the only bookkeeping
an op does; this module decides which input gradients are needed, accumulates them and
frees the gradients of intermediate tensors. ``backward`` walks the list from the end, so
no recursion is involved and a chain of any length backpropagates.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from dfdx_py.errors import ShapeError, TapeError

if TYPE_CHECKING:
    from dfdx_py.autograd.gradients import Gradients
    from dfdx_py.devices.base import Device
    from dfdx_py.tensor import Tensor

BackwardFn = Callable[[Any, Sequence[bool]], Sequence[Any]]
"""``backward(grad_out, needs)``: one gradient per input, in the order of the inputs.

``needs[i]`` says whether input ``i`` wants a gradient; where it is false the closure may
return ``None`` for that input and skip the work.
"""

_sequence = itertools.count()


class Entry:
    """One recorded op: who produced what from which inputs, and how to go back."""

    __slots__ = ("backward", "device", "in_devices", "in_traced", "in_uids", "out_uid", "seq")

    def __init__(
        self,
        out_uid: int,
        in_uids: tuple[int | None, ...],
        in_traced: tuple[bool, ...],
        backward: BackwardFn,
        device: Device,
        in_devices: tuple[Device, ...] | None,
    ) -> None:
        self.seq = next(_sequence)
        self.out_uid = out_uid
        self.in_uids = in_uids
        self.in_traced = in_traced
        self.backward = backward
        self.device = device
        self.in_devices = in_devices  # None: every input lives on ``device``

    def __lt__(self, other: Entry) -> bool:
        return self.seq < other.seq


class Tape:
    """The ops recorded since a leaf was traced onto ``grads``."""

    __slots__ = ("entries", "grads", "merged_into")

    def __init__(self, grads: Gradients) -> None:
        self.grads = grads
        self.entries: list[Entry] = []
        self.merged_into: Tape | None = None

    def resolve(self) -> Tape:
        """The tape this one was merged into (itself if it never was)."""
        tape = self
        while tape.merged_into is not None:
            tape = tape.merged_into
        return tape


def _merge(a: Tape, b: Tape) -> Tape:
    a.entries = list(heapq.merge(a.entries, b.entries))
    b.entries = []
    a.grads.absorb(b.grads)
    b.merged_into = a
    return a


def record(
    out: Tensor[Any, Any, Any],
    inputs: Sequence[Tensor[Any, Any, Any] | None],
    backward: BackwardFn,
    *,
    across_devices: bool = False,
) -> None:
    """Put ``out`` on its inputs' tape with ``backward``; non-float inputs get no gradient.

    ``inputs`` may hold ``None`` for an argument that is not a tensor (a scalar operand).
    An op whose inputs live on another device than ``out`` (``to_device``) passes
    ``across_devices=True`` so each input's gradient accumulates on the input's device.
    """
    tape: Tape | None = None
    in_uids: list[int | None] = []
    in_traced: list[bool] = []
    for t in inputs:  # one pass: ids, traced flags and the (merged) tape
        if t is None:
            in_uids.append(None)
            in_traced.append(False)
            continue
        in_uids.append(t.uid if t.dtype.is_float else None)
        t_tape = t._tape
        in_traced.append(t_tape is not None)
        if t_tape is not None and t_tape is not tape:
            if t_tape.merged_into is not None:
                t_tape = t_tape.resolve()
            tape = t_tape if tape is None or tape is t_tape else _merge(tape, t_tape)
    if tape is None:
        return
    in_devices = (
        tuple(out.device if t is None else t.device for t in inputs) if across_devices else None
    )
    entry = Entry(out.uid, tuple(in_uids), tuple(in_traced), backward, out.device, in_devices)
    tape.entries.append(entry)
    out._tape = tape


def backward(root: Tensor[Any, Any, Any]) -> Gradients:
    """Run the tape of the Rank0 tensor ``root`` in reverse; return its gradient store."""
    if root.shape != ():
        raise ShapeError(
            f"backward: only a Rank0 (scalar) tensor has backward(), got shape {root.shape}; "
            "reduce it first, e.g. loss.sum() or loss.mean()"
        )
    if root._tape is None:
        raise TapeError(
            "backward: this tensor is not traced; trace an input first, e.g. x.trace(grads)"
        )
    tape = root._tape.resolve()
    grads = tape.grads
    entries = tape.entries
    if not any(e.out_uid == root.uid for e in reversed(entries)):
        raise TapeError(
            "backward: the ops that produced this tensor are gone; backward() already ran "
            "over this graph (run the forward pass again)"
        )
    grads.accumulate(root.uid, root.device._full((), root.dtype, 1), root.device)
    tape.entries = []
    if grads._live_tape is tape:
        grads._live_tape = None
    for entry in reversed(entries):
        grad_out = grads.pop(entry.out_uid)
        if grad_out is None:
            continue
        needs = [
            uid is not None and (traced or grads.keeps(uid))
            for uid, traced in zip(entry.in_uids, entry.in_traced, strict=True)
        ]
        if not any(needs):
            continue
        in_grads = entry.backward(grad_out, needs)
        devices = entry.in_devices or [entry.device] * len(needs)
        for uid, need, grad, device in zip(entry.in_uids, needs, in_grads, devices, strict=True):
            if need and grad is not None:
                assert uid is not None
                grads.accumulate(uid, grad, device)
    return grads
