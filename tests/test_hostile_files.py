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
    """Run in a child process: at 50k levels the C parser (libyaml) used to overflow the stack (a segfault)."""
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


def _validate(data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "garrison", "validate", str(data)], capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}, timeout=60)


def test_special_files_are_refused_without_reading_them(tmp_path: Path):
    """A FIFO (used to hang validate and the app), /dev/zero (unbounded memory), a link outside, 50 MB."""
    import os

    data = tmp_path / "data"
    shutil.copytree(GOOD, data)
    inst = data / "installations"
    os.mkfifo(inst / "fifo.yaml")
    (inst / "zero.yaml").symlink_to("/dev/zero")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-BYTES: nobody may see this\n")
    (inst / "outside.yaml").symlink_to(secret)
    with open(inst / "huge.yaml", "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    (inst / "inside.yaml").symlink_to(inst / "site-c.yaml")  # a link within the folder is read
    res = _validate(data)  # the timeout is the "hangs" check
    assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr[-2000:]
    out = res.stdout
    assert f"{inst / 'fifo.yaml'}:1:1: (file): not a regular file" in out
    assert f"{inst / 'zero.yaml'}:1:1: (file): file is a link to outside the data folder" in out
    assert f"{inst / 'outside.yaml'}:1:1: (file): file is a link to outside the data folder" in out
    assert f"{inst / 'huge.yaml'}:1:1: (file): file is larger than" in out
    assert "inside.yaml" in out and "inside.yaml:1:1: (file): file is a link" not in out  # read, then judged as data
    # Must NOT happen: the bytes of a file outside the folder shown to anyone.
    assert "TOP-SECRET" not in out + res.stderr
    assert "3 installations loaded" in res.stderr
