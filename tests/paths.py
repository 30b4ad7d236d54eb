"""Paths of the project and its test fixtures (importable from any test folder)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
GOOD = FIXTURES / "good"
BAD = FIXTURES / "bad"
BUNDLED = ROOT / "data"
