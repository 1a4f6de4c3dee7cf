"""PyCUDA's driver API, imported on first use, and the errors it raises made ours.

``import dfdx_py`` never imports PyCUDA: a machine without it (or without a GPU) can use
everything but ``Cuda``, and ``Cuda()`` there raises a ``DeviceError`` saying why.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from dfdx_py.errors import DeviceError

T = TypeVar("T")


@functools.cache
def driver() -> Any:
    """``pycuda.driver``, initialised (``cuInit``) once."""
    try:
        import pycuda.driver as drv  # type: ignore[import-not-found, unused-ignore]
    except ImportError as e:
        raise DeviceError(
            f"Cuda: PyCUDA is not installed ({e}); install dfdx_py[cuda] on a machine with "
            "an NVIDIA GPU and its driver"
        ) from None
    try:
        drv.init()
    except Exception as e:  # pycuda._driver.Error and friends
        raise DeviceError(f"Cuda: the CUDA driver did not initialise: {e}") from None
    return drv


def unavailable_reason() -> str | None:
    """``None`` when a Cuda device can be used here, else a short reason (for test skips)."""
    try:
        drv = driver()
        if drv.Device.count() == 0:
            return "no CUDA device"
    except DeviceError as e:
        return str(e)
    except Exception as e:
        return f"no CUDA device ({e})"
    return None


@contextmanager
def driver_errors(what: str) -> Iterator[None]:
    """Turn a PyCUDA error raised while doing ``what`` into a ``DeviceError`` naming it."""
    try:
        yield
    except DeviceError:
        raise
    except MemoryError:
        raise
    except Exception as e:
        module = type(e).__module__ or ""
        if module.startswith("pycuda"):
            raise DeviceError(f"Cuda: {what}: {type(e).__name__}: {e}") from e
        raise


def checked(what: str, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` with PyCUDA errors turned into ``DeviceError``s naming ``what``."""
    with driver_errors(what):
        return fn(*args)
