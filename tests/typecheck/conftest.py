"""``pytest tests/typecheck --update-cases`` rewrites the ``# E:`` expectations of the
``typecheck_cases/fail`` files from mypy's actual output (review the diff afterwards)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-cases",
        action="store_true",
        default=False,
        help="rewrite the '# E:' lines of typecheck_cases/fail from mypy's output",
    )
