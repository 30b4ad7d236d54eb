"""Shared fixtures: the small fictional dataset and a copy-to-temp helper."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from paths import BAD, BUNDLED, FIXTURES, GOOD, ROOT  # noqa: F401  (re-exported for old imports)


@pytest.fixture
def good_copy(tmp_path: Path) -> Path:
    """A writable copy of the good fixture data folder."""
    dest = tmp_path / "data"
    shutil.copytree(GOOD, dest)
    return dest
