"""Files built to take the loader down: each is that file's problem, never the dataset's or the process's."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from paths import GOOD, ROOT

import garrison


def _deep(levels: int) -> str:
    return "id: deep\nname: [" + "[" * levels + "\n"


@pytest.mark.parametrize("levels", [1_000, 50_000])
def test_deep_nesting_is_that_files_problem(tmp_path: Path, levels: int):
    """Run in a child process: at 50k levels PyYAML's C parser used to overflow the stack (a segfault)."""
    data = tmp_path / "data"
    shutil.copytree(GOOD, data)
    bad = data / "installations" / "deep.yaml"
    bad.write_text(_deep(levels))
    res = subprocess.run([sys.executable, "-m", "garrison", "validate", str(data)], capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}, timeout=120)
    # Must NOT happen: a crash (a signal or a traceback) instead of a report.
    assert res.returncode == 1, (res.returncode, res.stderr[-2000:])
    assert "Traceback" not in res.stderr
    assert f"{bad}:2:" in res.stdout and "nested more than 64 levels deep" in res.stdout
    assert "3 installations loaded" in res.stderr  # every other installation is served


def test_deep_nesting_in_process_keeps_the_rest(good_copy: Path):
    bad = good_copy / "installations" / "deep.yaml"
    bad.write_text(_deep(600))
    ds = garrison.Loader(good_copy).load()
    assert sorted(r.id for r in ds.records) == ["base-b", "port-a", "site-c"]
    assert [p.message for p in ds.errors if p.path == str(bad)][0].startswith("nested more than 64 levels")


def test_ordinary_files_are_not_refused_for_depth():
    ds = garrison.Loader(ROOT / "data").load()
    assert not [p for p in ds.problems if "nested" in p.message]
