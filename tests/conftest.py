"""Shared fixtures: the small fictional dataset and a copy-to-temp helper."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from paths import BAD, BUNDLED, FIXTURES, GOOD, ROOT  # noqa: F401  (re-exported for old imports)

#: Fixture `checked` dates from this day on count as fresh in every test (see _checked_never_ages).
FRESH_SINCE = dt.date(2025, 1, 1)


def pytest_configure(config):
    # The parse cache of every process a test starts (CLI runs, app servers) goes to a folder of this
    # run, never the user's ~/.cache: a run starts cold and leaves nothing behind.
    os.environ["GARRISON_CACHE"] = tempfile.mkdtemp(prefix="garrison-test-cache-")


def pytest_unconfigure(config):
    shutil.rmtree(os.environ.get("GARRISON_CACHE", ""), ignore_errors=True)


@pytest.fixture(autouse=True)
def _checked_never_ages(monkeypatch):
    """The fixtures' fixed `checked` dates stay fresh: no test fails because a year has passed.

    A record checked on or after FRESH_SINCE never draws the "more than a year ago" warning in
    tests; one checked before it (tests/fixtures/bad/warn-checked-stale.yaml) always does.
    """
    import garrison.checks

    since_fresh = dt.date.today() - FRESH_SINCE
    monkeypatch.setattr(garrison.checks, "CHECKED_MAX_AGE", max(garrison.checks.CHECKED_MAX_AGE, since_fresh))


@pytest.fixture
def good_copy(tmp_path: Path) -> Path:
    """A writable copy of the good fixture data folder."""
    dest = tmp_path / "data"
    shutil.copytree(GOOD, dest)
    return dest
