"""``pytest tests/typecheck --update-cases`` rewrites the ``# E:`` expectations of the
``typecheck_cases/fail`` files from mypy's actual output (review the diff afterwards).

``--diff-programs=N`` and ``--diff-seed=S`` choose the corpus of the differential test
(``test_static_equals_runtime.py``): N well-typed programs (N/2 ill-typed) from seed S."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-cases",
        action="store_true",
        default=False,
        help="rewrite the '# E:' lines of typecheck_cases/fail from mypy's output",
    )
    parser.addoption(
        "--diff-programs",
        type=int,
        default=None,
        help="test_static_equals_runtime: how many well-typed programs to generate (default "
        "250; half as many ill-typed ones)",
    )
    parser.addoption(
        "--diff-seed",
        type=int,
        default=None,
        help="test_static_equals_runtime: the hypothesis seed of the generated programs",
    )
