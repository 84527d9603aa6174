"""``require(module)``: import a test dependency, skipping without it, failing in CI.

A missing default-stack package (``pip install -e '.[all,test]'`` installs them all)
must not let a partial install pass green: when ``CI`` is set (``true``/``1``/``yes``)
the import error is a test failure, otherwise the test is skipped as
``pytest.importorskip`` would.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

__all__ = ["require", "in_ci"]


def in_ci() -> bool:
    """Whether the suite runs in CI (``CI=true``, as GitHub Actions and most CI services set)."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require(module: str, reason: str | None = None) -> ModuleType:
    """The imported ``module``; skip the test without it, fail instead when :func:`in_ci`."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        why = reason or f"{module} is not installed ({e})"
        if in_ci():
            pytest.fail(f"CI=true: {why}; it is part of the default stack (pip install -e '.[all,test]')",
                        pytrace=False)
        pytest.skip(why, allow_module_level=True)
