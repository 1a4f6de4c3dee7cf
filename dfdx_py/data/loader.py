"""``Loader``: dfdx's iterator extensions (shuffled, batch, collate, stack) as a lazy chain.

dfdx writes ``dataset.shuffled(&mut rng).map(f).batch(Const::<64>).collate().stack()``;
here the same chain starts from ``Loader(dataset)``::

    loader = data.Loader(ds).shuffled(0).map(preprocess).batch(64).collate().stack(device=dev)
    for epoch in range(10):
        for x, y in loader:          # each pass is an epoch with a new permutation
            ...

A ``Loader`` is a recipe, not an iterator: every method returns a new ``Loader`` and nothing
runs until it is iterated; iterating it again starts again from the dataset.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

import numpy as np

from dfdx_py.data.dataset import ExactSizeDataset
from dfdx_py.errors import DTypeError, ShapeError
from dfdx_py.shapes import fmt_shape
from dfdx_py.tensor import Tensor

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device

T = TypeVar("T")
U = TypeVar("U")
T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True)
class _Stage:
    """One link of the chain: turns the item stream into the next one."""

    label: str
    apply: Callable[[Iterator[Any]], Iterator[Any]]
    length: Callable[[int], int]
    itemwise: bool  # one output item per input item, in order (a shuffle may come after)


class Loader(Generic[T_co]):
    """A lazy, re-iterable chain over a dataset (``len`` and ``[i]``) or any iterable.

    - ``.shuffled(rng)``: the items in a random order (dfdx's ``ExactSizeDataset::shuffled``);
    - ``.map(f)``: ``f`` applied to each item;
    - ``.batch(n, drop_last=False)``: lists of ``n`` items;
    - ``.collate()``: each batch of tuples as a tuple of lists;
    - ``.stack(device=None)``: each list as one tensor (or numpy array) with a new leading axis.

    ``len(loader)`` is the number of items it yields, when the source has a length::

        >>> loader = data.Loader(range(10)).map(lambda i: (i, i % 2)).batch(4).collate()
        >>> len(loader), list(loader)
        (3, [([0, 1, 2, 3], [0, 1, 0, 1]), ([4, 5, 6, 7], [0, 1, 0, 1]), ([8, 9], [0, 1])])

    A one-shot iterator (a generator) as the source gives one pass; a dataset or a list gives
    as many as you like.
    """

    __slots__ = ("_rng", "_source", "_stages")

    _source: Iterable[Any]
    _rng: np.random.Generator | None
    _stages: tuple[_Stage, ...]

    @overload
    def __init__(self: Loader[T], source: ExactSizeDataset[T]) -> None: ...
    @overload
    def __init__(self: Loader[T], source: Iterable[T]) -> None: ...
    def __init__(self, source: Any) -> None:
        if not _is_dataset(source) and not isinstance(source, Iterable):
            raise TypeError(
                f"Loader needs a dataset (len and [i]) or an iterable, got {type(source).__name__}"
            )
        self._source = source
        self._rng = None
        self._stages = ()

    def _then(self, stage: _Stage) -> Loader[Any]:
        new: Loader[Any] = object.__new__(Loader)
        new._source, new._rng, new._stages = self._source, self._rng, (*self._stages, stage)
        return new

    # -- the chain -------------------------------------------------------------------------

    def shuffled(self, rng: np.random.Generator | int) -> Loader[T_co]:
        """The items in a random order drawn from ``rng``: a ``numpy.random.Generator`` (such
        as ``dev.rng``) or an int seed (dfdx's ``dataset.shuffled(&mut rng)``).

        Each pass over the loader is an epoch: it draws a new permutation from ``rng``, so
        passes differ, and two loaders built with the same seed give the same sequence of
        epochs. The permutation is drawn when iteration starts (``iter(loader)``).
        Only a dataset can be shuffled, and only before ``batch``::

            >>> loader = data.Loader(range(5)).shuffled(0)
            >>> list(loader) == list(data.Loader(range(5)).shuffled(0))  # same seed
            True
            >>> sorted(loader) == list(range(5))
            True
        """
        if not _is_dataset(self._source):
            raise TypeError(
                "shuffled: the source must be a dataset (len and [i]), "
                f"not {type(self._source).__name__}; shuffle a list of the items instead"
            )
        if self._rng is not None:
            raise TypeError("shuffled: this loader is already shuffled")
        if not all(stage.itemwise for stage in self._stages):
            raise TypeError("shuffled: shuffle the items before batch(), not the batches")
        if isinstance(rng, np.random.Generator):
            generator = rng
        elif isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
            generator = np.random.default_rng(int(rng))
        else:
            raise TypeError(f"shuffled: rng must be a numpy Generator or an int seed, got {rng!r}")
        new: Loader[T_co] = object.__new__(Loader)
        new._source, new._rng, new._stages = self._source, generator, self._stages
        return new

    def map(self, f: Callable[[T_co], U]) -> Loader[U]:
        """``f`` applied to each item, lazily (Python's ``map``)::

            >>> list(data.Loader([1, 2, 3]).map(lambda x: x * 10))
            [10, 20, 30]

        Before ``batch`` it sees single items; after, whole batches. Prefer numpy work in
        ``f`` and one ``stack(device=...)`` per batch over making a tensor per item.
        """
        if not callable(f):
            raise TypeError(f"map: f must be callable, got {f!r}")
        name = getattr(f, "__name__", type(f).__name__)

        def apply(items: Iterator[Any]) -> Iterator[Any]:
            return map(f, items)

        return self._then(_Stage(f"map({name})", apply, _same, itemwise=True))

    def batch(self, size: int, drop_last: bool = False) -> Loader[list[T_co]]:
        """Lists of ``size`` consecutive items; the last holds the remainder unless
        ``drop_last`` (PyTorch's ``DataLoader(batch_size, drop_last)``; dfdx's
        ``batch_with_last`` and ``batch_exact``)::

            >>> list(data.Loader(range(5)).batch(2))
            [[0, 1], [2, 3], [4]]
            >>> list(data.Loader(range(5)).batch(2, drop_last=True))
            [[0, 1], [2, 3]]

        ``size`` is an int, known at run time (dfdx's ``usize`` batches): the stacked tensors
        have a ``Dyn`` leading dim. Use ``drop_last=True`` when every batch must be full.
        """
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
            raise TypeError(f"batch: size must be an int, got {size!r}")
        if size < 1:
            raise ValueError(f"batch: size must be at least 1, got {size}")
        n = int(size)

        def apply(items: Iterator[Any]) -> Iterator[list[Any]]:
            while True:
                chunk = list(itertools.islice(items, n))
                if not chunk or (drop_last and len(chunk) < n):
                    return
                yield chunk

        def length(count: int) -> int:
            return count // n if drop_last else math.ceil(count / n)

        label = f"batch({n}, drop_last=True)" if drop_last else f"batch({n})"
        return self._then(_Stage(label, apply, length, itemwise=False))

    def collate(self) -> Loader[Any]:
        """Each batch of tuples as a tuple of lists (an unzip, dfdx's ``collate``)::

            >>> list(data.Loader([(1, "a"), (2, "b"), (3, "c")]).batch(3).collate())
            [([1, 2, 3], ['a', 'b', 'c'])]

        Nested tuples collate recursively (``((x, m), y)`` items give ``(([x..], [m..]),
        [y..])``), named tuples keep their type, and dicts collate by key (PyTorch's
        ``default_collate``). Other items are left as they are.
        """
        return self._then(_Stage("collate()", _map_each(collate), _same, itemwise=True))

    def stack(self, device: Device | None = None) -> Loader[Any]:
        """Each list of items as one array with a new leading axis (dfdx's ``stack``); a tuple
        or dict of lists (what ``collate`` gives) is stacked field by field.

        - a list of tensors becomes ``dfdx.stack(items)`` (gradients flow back to them), moved
          to ``device`` when one is given;
        - a list of numpy arrays or numbers is stacked in numpy: a numpy array without
          ``device``, one tensor on ``device`` with it (``dev.tensor(np.stack(items))``, one
          copy per batch; Python floats give ``f32`` as in ``dev.tensor``)::

            >>> ds = data.ArrayDataset(np.zeros((10, 3), np.float32), np.arange(10))
            >>> x, y = next(iter(data.Loader(ds).batch(4).collate().stack(device=dev)))
            >>> x.shape, x.dtype, y.shape, y.dtype
            ((4, 3), f32, (4,), i64)

        A list whose items have different shapes raises ``ShapeError``; a list of tuples asks
        for ``collate()`` first.
        """
        return self._then(
            _Stage("stack()", _map_each(lambda item: stack(item, device)), _same, itemwise=True)
        )

    # -- iteration -------------------------------------------------------------------------

    def __iter__(self) -> Iterator[T_co]:
        items: Iterator[Any]
        if _is_dataset(self._source):
            dataset: Any = self._source
            n = len(dataset)
            order = range(n) if self._rng is None else self._rng.permutation(n).tolist()
            items = (dataset[i] for i in order)
        else:
            items = iter(self._source)
        for stage in self._stages:
            items = stage.apply(items)
        return items

    def __len__(self) -> int:
        """The number of items one pass yields; ``TypeError`` when the source has no length."""
        if not hasattr(self._source, "__len__"):
            raise TypeError(f"len: a Loader over a {type(self._source).__name__} has no length")
        count = len(self._source)  # type: ignore[arg-type]
        for stage in self._stages:
            count = stage.length(count)
        return count

    def __repr__(self) -> str:
        chain = "".join(f".{stage.label}" for stage in self._stages)
        shuffled = ".shuffled(rng)" if self._rng is not None else ""
        return f"Loader({_source_repr(self._source)}){shuffled}{chain}"


def _is_dataset(source: Any) -> bool:
    return (
        hasattr(source, "__len__")
        and hasattr(source, "__getitem__")
        and not isinstance(source, Mapping)
    )


def _source_repr(source: Any) -> str:
    text = repr(source)
    return text if len(text) <= 60 else f"<{type(source).__name__} of {len(source)} items>"


def _same(count: int) -> int:
    return count


def _map_each(fn: Callable[[Any], Any]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def apply(items: Iterator[Any]) -> Iterator[Any]:
        return map(fn, items)

    return apply


# -- collate and stack of one batch (what the stages apply) ----------------------------------


def collate(batch: Sequence[Any]) -> Any:
    """One batch of tuples as a tuple of lists: ``[(x1, y1), (x2, y2)]`` ->
    ``([x1, x2], [y1, y2])``; recursive through nested tuples, named tuples and dicts.
    A batch of other items is returned as a list."""
    items = list(batch)
    if not items:
        return items
    first = items[0]
    if isinstance(first, tuple):
        for i, item in enumerate(items):
            if not isinstance(item, tuple) or len(item) != len(first):
                raise ValueError(
                    f"collate: item 0 is a tuple of {len(first)}, item {i} is {_describe(item)}"
                )
        fields = [collate(list(column)) for column in zip(*items, strict=True)]
        if hasattr(first, "_fields"):  # a named tuple
            return type(first)(*fields)
        return tuple(fields)
    if isinstance(first, Mapping):
        keys = list(first.keys())
        for i, item in enumerate(items):
            if not isinstance(item, Mapping) or set(item.keys()) != set(keys):
                raise ValueError(f"collate: item 0 has keys {keys}, item {i} is {_describe(item)}")
        return {k: collate([item[k] for item in items]) for k in keys}
    return items


def _describe(item: Any) -> str:
    if isinstance(item, tuple):
        return f"a tuple of {len(item)}"
    if isinstance(item, Mapping):
        return f"a dict with keys {list(item.keys())}"
    return f"a {type(item).__name__}"


def stack(item: Any, device: Device | None = None) -> Any:
    """Stack one batch: a list becomes one tensor (or numpy array) with a new leading axis; a
    tuple, named tuple or dict is stacked field by field (see ``Loader.stack``)."""
    if isinstance(item, tuple):
        fields = [stack(field, device) for field in item]
        return type(item)(*fields) if hasattr(item, "_fields") else tuple(fields)
    if isinstance(item, Mapping):
        return {k: stack(v, device) for k, v in item.items()}
    if isinstance(item, list):
        return _stack_list(item, device)
    raise TypeError(
        f"stack: expected a list of tensors or arrays (a batch), got {type(item).__name__}; "
        "call batch() before stack()"
    )


def _stack_list(items: list[Any], device: Device | None) -> Any:
    if not items:
        raise ShapeError("stack: cannot stack an empty batch")
    if any(isinstance(x, Tensor) for x in items):
        if not all(isinstance(x, Tensor) for x in items):
            raise DTypeError("stack: the batch mixes tensors with other items")
        from dfdx_py.ops import stack as stack_tensors

        out = stack_tensors(items)
        return out if device is None or out.device == device else out.to(device)
    if isinstance(items[0], (tuple, Mapping)):
        raise TypeError(
            f"stack: the batch holds {_describe(items[0])}s; call collate() before stack()"
        )
    if device is not None and all(isinstance(x, (bool, int, float)) for x in items):
        return device.tensor(items)  # Python numbers: dev.tensor's defaults (floats are f32)
    try:
        array = np.stack([np.asarray(x) for x in items])
    except ValueError:
        shapes = {np.shape(x) for x in items}
        if len(shapes) == 1:
            raise
        first = np.shape(items[0])
        i, other = next((i, np.shape(x)) for i, x in enumerate(items) if np.shape(x) != first)
        raise ShapeError(
            f"stack: item 0 has shape {fmt_shape(first)}, item {i} has shape "
            f"{fmt_shape(other)}; every item of a batch must have one shape"
        ) from None
    return array if device is None else device.tensor(array)
