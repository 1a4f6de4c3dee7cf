"""Unit tests of the dfdx_mypy plugin's pure parts."""
