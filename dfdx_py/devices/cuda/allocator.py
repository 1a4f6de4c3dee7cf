"""A caching allocator: device memory is taken from the driver once and reused.

``cuMemAlloc`` and ``cuMemFree`` synchronise the device and cost microseconds, so a block
freed by a tensor goes back to a free list of its size class, where the next request of that
size finds it (PyTorch's caching allocator, much simplified). Sizes round up to 512 bytes,
and above 1 MiB to 64 KiB steps, so that sizes seen once keep being found.

Every kernel runs on the device's one stream, in order, so a block is safe to reuse as soon
as its last tensor is gone: work that reads it was launched before the work that reuses it.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

from dfdx_py.errors import DeviceError

_SMALL = 512
_LARGE = 1 << 20
_LARGE_STEP = 64 << 10


def size_class(nbytes: int) -> int:
    """The rounded size a request of ``nbytes`` is served with (at least 512 bytes)."""
    step = _SMALL if nbytes <= _LARGE else _LARGE_STEP
    return max(_SMALL, -(-nbytes // step) * step)


class Block:
    """One allocation from the driver. When the last storage using it goes away, it
    returns to its allocator's free list instead of going back to the driver."""

    __slots__ = ("__weakref__", "allocation", "allocator", "ptr", "size")

    def __init__(self, allocation: Any, size: int, allocator: CachingAllocator) -> None:
        self.allocation = allocation
        self.ptr = int(allocation)
        self.size = size
        self.allocator = allocator

    def __del__(self) -> None:
        allocator = getattr(self, "allocator", None)
        if allocator is not None:
            allocator.release(self.size, self.allocation)


class CachingAllocator:
    """Free lists of device memory by size class, for one device context."""

    def __init__(self, drv: Any) -> None:
        self._drv = drv
        self._free: dict[int, list[Any]] = defaultdict(list)
        self._lock = threading.Lock()
        self.cached_bytes = 0
        self.in_use_bytes = 0

    def malloc(self, nbytes: int) -> Block:
        """A block of at least ``nbytes`` bytes (reused when one of its size is free)."""
        size = size_class(nbytes)
        with self._lock:
            free = self._free.get(size)
            if free:
                self.cached_bytes -= size
                self.in_use_bytes += size
                return Block(free.pop(), size, self)
        allocation = self._allocate(size)
        with self._lock:
            self.in_use_bytes += size
        return Block(allocation, size, self)

    def release(self, size: int, allocation: Any) -> None:
        """Take back a block whose storages are all gone."""
        with self._lock:
            self._free[size].append(allocation)
            self.cached_bytes += size
            self.in_use_bytes -= size

    def empty_cache(self) -> None:
        """Give every cached (unused) block back to the driver."""
        with self._lock:
            blocks = [a for free in self._free.values() for a in free]
            self._free.clear()
            self.cached_bytes = 0
        for allocation in blocks:
            allocation.free()

    def _allocate(self, size: int) -> Any:
        drv = self._drv
        try:
            return drv.mem_alloc(size)
        except drv.MemoryError:
            self.empty_cache()  # cached blocks of other sizes may make room
        try:
            return drv.mem_alloc(size)
        except drv.MemoryError:
            free, total = drv.mem_get_info()
            raise DeviceError(
                f"Cuda out of memory: asked for {size:,} bytes, {free:,} bytes free of "
                f"{total:,} ({self.in_use_bytes:,} in use by dfdx_py tensors)"
            ) from None
