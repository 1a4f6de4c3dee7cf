"""The typecheck cases (``typecheck_cases/``) run through mypy with the dfdx_mypy plugin."""
