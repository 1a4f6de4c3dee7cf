"""Data: datasets, the ``Loader`` chain, ``one_hot_encode`` and ``arange`` (dfdx's ``data``).

The chain of dfdx's MNIST example, as a lazy, re-iterable loader::

    from dfdx_py import data

    ds = data.ArrayDataset(images.astype(np.float32), labels)   # (n, 784), (n,)
    loader = data.Loader(ds).shuffled(0).batch(64).collate().stack(device=dev)
    for epoch in range(10):
        for x, y in loader:        # x: (64, 784) f32, y: (64,) i64; a new order each epoch
            target = data.one_hot_encode(y, 10)
            ...

A dataset is anything with ``len`` and ``[i]`` (``ExactSizeDataset``); ``map(f)`` anywhere in
the chain transforms items (before ``batch``) or batches (after).
"""

from dfdx_py.data.dataset import ArrayDataset, ExactSizeDataset
from dfdx_py.data.encode import arange, one_hot_encode
from dfdx_py.data.loader import Loader

__all__ = ["ArrayDataset", "ExactSizeDataset", "Loader", "arange", "one_hot_encode"]
