"""``broadcast`` of a model's weights, ``all_reduce`` of its gradients, ``all_reduce_tensor``.

Small tensors are fused: the tensors of one dtype are concatenated into flat buckets of up to
``BUCKET_BYTES`` (PyTorch's DDP does the same, 25 MB), one collective moves each bucket and
the results are cut back into tensors. A tensor larger than a bucket goes alone, uncopied.
The flattening is written with tensor ops (``concat``, slicing), so it runs on every device.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from dfdx_py.autograd.gradients import Gradients
from dfdx_py.distributed.group import process_group
from dfdx_py.errors import DeviceError, DTypeError, TapeError
from dfdx_py.nn.module import Module
from dfdx_py.ops import concat
from dfdx_py.optim.optimizer import UnusedParamsError, trainable
from dfdx_py.tensor import Tensor, wrap

BUCKET_BYTES = 25 * 2**20
"""The most bytes fused into one collective."""


class NoGradientError(UnusedParamsError):
    """``all_reduce(grads, model)`` found parameters without a gradient (an
    ``UnusedParamsError``, as ``opt.update`` would raise); nothing was sent."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        listed = ", ".join(repr(n) for n in names)
        TapeError.__init__(
            self,
            f"all_reduce: no gradient for {len(names)} parameter(s): {listed}. The loss does "
            "not depend on them, or backward() has not run since zero_grads(); nothing was sent",
        )


def broadcast(model: Module | Tensor[Any, Any, Any], root: int = 0) -> None:
    """Give every rank rank ``root``'s values of ``model``'s parameters and buffers (a
    ``Module``), or of one ``Tensor``, in place: the same tensor objects hold the new values
    (``torch.distributed.broadcast`` per tensor; DDP does this at construction). Call it once
    after building the model so that every rank starts from the same weights::

        model = dev.build_module(Mlp, f32)
        dist.broadcast(model)             # rank 0's initial weights everywhere
    """
    group = process_group()
    if not 0 <= root < group.world_size:
        raise ValueError(f"broadcast: root {root} is not a rank of a world of {group.world_size}")
    if isinstance(model, Tensor):
        tensors = [model]
    elif isinstance(model, Module):
        unique = {t.uid: t for _, t in model.named_tensors()}  # a tied weight once
        tensors = list(unique.values())
    else:
        raise TypeError(f"broadcast: expected a Module or a Tensor, got {type(model).__name__}")
    storages = [t._data for t in tensors]
    results = _fused(tensors, storages, lambda bufs, dev: group.backend.broadcast(bufs, dev, root))
    for t, data in zip(tensors, results, strict=True):
        t._data = data


def all_reduce(
    grads: Gradients, model: Module | Tensor[Any, Any, Any], average: bool = True
) -> Gradients:
    """Average (or, with ``average=False``, sum) the gradients of ``model``'s parameters in
    ``grads`` over every rank, in place, and return ``grads`` (what DDP's backward hooks do
    with ``torch.distributed.all_reduce``). Call it between ``backward()`` and the
    optimizer's update::

        grads = loss.backward()
        dist.all_reduce(grads, model)     # every rank now holds the mean gradient
        opt.update(model, grads)

    With each rank's loss the mean over its shard of the batch, the average of the ranks'
    gradients is the gradient of the mean over the whole batch: N ranks with batch ``b``
    train like one process with batch ``N * b``. Only the parameters are reduced (a traced
    input's gradient stays local). A parameter without a gradient raises
    ``UnusedParamsError`` before anything is sent, as ``opt.update`` would.
    """
    group = process_group()
    if not isinstance(grads, Gradients):
        raise TypeError(
            f"all_reduce(grads, model): grads must be Gradients, got {type(grads).__name__}"
        )
    params = trainable(model)
    storages = [grads.storage(p) for _, p in params]
    missing = [name for (name, _), g in zip(params, storages, strict=True) if g is None]
    if missing:
        raise NoGradientError(missing)
    tensors = [p for _, p in params]
    results = _fused(
        tensors, storages, lambda bufs, dev: group.backend.all_reduce(bufs, dev, average)
    )
    grads.zero(tensors)
    for p, data in zip(tensors, results, strict=True):
        grads.accumulate(p.uid, data, p.device)
    return grads


def all_reduce_tensor(
    t: Tensor[Any, Any, Any], op: Literal["mean", "sum"] = "mean"
) -> Tensor[Any, Any, Any]:
    """The element-wise mean (or sum) of ``t`` over every rank, as a new tensor of ``t``'s
    shape, dtype and device (``torch.distributed.all_reduce(t, op)``, which works in place).
    For a metric::

        epoch_loss = dist.all_reduce_tensor(dev.tensor(total / batches)).item()
    """
    if op not in ("mean", "sum"):
        raise ValueError(f"all_reduce_tensor: op must be 'mean' or 'sum', got {op!r}")
    if t.dtype.numpy.kind == "b" or (op == "mean" and not t.dtype.is_float):
        raise DTypeError(f"all_reduce_tensor: cannot take the {op} of {t.dtype} tensors")
    group = process_group()
    (data,) = group.backend.all_reduce([t._data], t.device, op == "mean")
    return wrap(data, t.dtype, t.device)


def _fused(
    tensors: Sequence[Tensor[Any, Any, Any]],
    storages: Sequence[Any],
    collective: Callable[[list[Any], Any], list[Any]],
) -> list[Any]:
    """Run ``collective`` on ``storages`` (the data of ``tensors``, or their gradients) in
    fused buckets; the new storages, in order. Every rank must pass tensors of the same
    shapes and dtypes in the same order (the model's parameter order)."""
    if not tensors:
        return []
    device = tensors[0].device
    for t in tensors:
        if t.device != device:
            raise DeviceError(f"distributed: the model spans two devices: {device!r}, {t.device!r}")
    buckets = _buckets(tensors)
    flats: list[Any] = []
    for bucket in buckets:
        if len(bucket) == 1:
            flats.append(storages[bucket[0]])
        else:
            parts = [wrap(storages[i], tensors[i].dtype, device) for i in bucket]
            flat = concat([p.reshape((p.numel,)) for p in parts], axis=0)
            flats.append(flat._data)
    reduced = collective(flats, device)
    out: list[Any] = [None] * len(tensors)
    for bucket, data in zip(buckets, reduced, strict=True):
        if len(bucket) == 1:
            out[bucket[0]] = data
            continue
        flat = wrap(data, tensors[bucket[0]].dtype, device)
        start = 0
        for i in bucket:
            n = tensors[i].numel
            out[i] = flat[start : start + n].reshape(tensors[i].shape)._data
            start += n
    return out


def _buckets(tensors: Sequence[Tensor[Any, Any, Any]]) -> list[list[int]]:
    """Indices of ``tensors`` grouped by dtype (in order of first appearance), each group cut
    into runs of at most ``BUCKET_BYTES``; a tensor at least that large is a bucket alone."""
    by_dtype: dict[Any, list[int]] = {}
    for i, t in enumerate(tensors):
        by_dtype.setdefault(t.dtype, []).append(i)
    buckets: list[list[int]] = []
    for indices in by_dtype.values():
        current: list[int] = []
        size = 0
        for i in indices:
            nbytes = tensors[i].numel * tensors[i].dtype.numpy.itemsize
            if nbytes >= BUCKET_BYTES:
                buckets.append([i])
                continue
            if current and size + nbytes > BUCKET_BYTES:
                buckets.append(current)
                current, size = [], 0
            current.append(i)
            size += nbytes
        if current:
            buckets.append(current)
    return buckets
