"""Shared fixtures: the small fictional dataset and a copy-to-temp helper."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
GOOD = FIXTURES / "good"
BAD = FIXTURES / "bad"
BUNDLED = ROOT / "data"


@pytest.fixture
def good_copy(tmp_path: Path) -> Path:
    """A writable copy of the good fixture data folder."""
    dest = tmp_path / "data"
    shutil.copytree(GOOD, dest)
    return dest
