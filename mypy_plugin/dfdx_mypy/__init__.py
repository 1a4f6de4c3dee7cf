"""dfdx_mypy: the mypy plugin that checks dfdx_py tensor shapes, dtypes and devices.

Enable it with one line: ``plugins = dfdx_mypy`` (mypy.ini, setup.cfg) or
``plugins = ["dfdx_mypy"]`` (``[tool.mypy]`` in pyproject.toml).
"""

from __future__ import annotations

from mypy.plugin import Plugin

__version__ = "0.9.0"  # bump on every change: mypy's cache hashes only this module


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point: the plugin class (any mypy 1.x or 2.x)."""
    from dfdx_mypy.dispatch import DfdxPlugin

    return DfdxPlugin
