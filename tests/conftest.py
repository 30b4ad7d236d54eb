"""Shared fixtures: the small fictional dataset and a copy-to-temp helper."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from paths import BAD, BUNDLED, FIXTURES, GOOD, ROOT  # noqa: F401  (re-exported for old imports)


def pytest_configure(config):
    # The parse cache of every process a test starts (CLI runs, app servers) goes to a folder of this
    # run, never the user's ~/.cache: a run starts cold and leaves nothing behind.
    os.environ["GARRISON_CACHE"] = tempfile.mkdtemp(prefix="garrison-test-cache-")


def pytest_unconfigure(config):
    shutil.rmtree(os.environ.get("GARRISON_CACHE", ""), ignore_errors=True)


@pytest.fixture(autouse=True)
def _checked_never_ages(monkeypatch):
    """The fixtures' fixed `checked` dates stay fresh: no test fails because a year has passed.

    Tests of the one-year rule pass `today`, or set garrison.checks.CHECKED_MAX_AGE back.
    """
    import datetime as dt

    import garrison.checks

    monkeypatch.setattr(garrison.checks, "CHECKED_MAX_AGE", dt.timedelta(days=10**6))


@pytest.fixture
def good_copy(tmp_path: Path) -> Path:
    """A writable copy of the good fixture data folder."""
    dest = tmp_path / "data"
    shutil.copytree(GOOD, dest)
    return dest
