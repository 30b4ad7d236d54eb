"""Crash safety: a writer SIGKILLed at random moments never leaves a torn or half-written data file.

A small subprocess alternates a file between two versions A and B, through ``write_atomic`` and
through the editor's real ``save`` (open, edit, validate, conflict check, write), and is SIGKILLed
at a random moment, 200 times each. The save loops are forked from a process that imported the
library once (a fresh interpreter pays about a second of imports per start). After every kill the
file must be exactly A or B and parse cleanly; temporary files a killed writer leaves behind must
be ``.<name>.*.tmp`` files that the loader never reads.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from paths import ROOT

from garrison import Loader
from garrison.edit import sweep_temp_files
from garrison.yamlsafe import parse_yaml

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

SEED = int(os.environ.get("GARRISON_CRASH_SEED", "20240613"))
ATOMIC_KILLS = 200
SAVE_KILLS = 200

# Loads garrison/atomic.py on its own (importing the package pulls in geopandas: ~1 s per start).
ATOMIC_SCRIPT = r"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("garrison_atomic", sys.argv[1])
atomic = importlib.util.module_from_spec(spec)
spec.loader.exec_module(atomic)
path = sys.argv[2]
a, b = (open(p, encoding="utf-8", newline="").read() for p in sys.argv[3:5])
print("ready", flush=True)
while True:
    atomic.write_atomic(path, a)
    atomic.write_atomic(path, b)
"""

# Imports the library once, then per line on stdin forks a child that saves in a loop, prints the
# child's pid, and once the child is gone prints how it ended ("signal 9" after a SIGKILL).
SAVE_SERVER = r"""
import os, sys
from garrison.edit import open_for_edit, save, set_fields
data = sys.argv[1]
print("ready", flush=True)
for _ in sys.stdin:
    pid = os.fork()
    if pid == 0:
        while True:
            draft = open_for_edit(data, "port-a")
            set_fields(draft, name="Port B" if draft.plain()["name"] == "Port A" else "Port A")
            save(draft, draft.digest)
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print(f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}", flush=True)
"""

TEMP_RE = re.compile(r"\.port-a\.yaml\.[a-z0-9_]{8}\.tmp")


def _versions(data: Path) -> tuple[bytes, bytes]:
    a = (data / "installations" / "port-a.yaml").read_bytes()
    b = a.replace(b"name: Port A\n", b"name: Port B\n")
    assert a != b
    return a, b


def _env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "GARRISON_GIT_COMMIT"}
    env["PYTHONPATH"] = str(ROOT / "src")
    env["TMPDIR"] = str(tmp)  # a killed save's validation mirror is left here, not in /tmp
    return env


def _kill_at_random(cmd: list[str], delay: float, tmp: Path) -> None:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(tmp), cwd=ROOT)
    try:
        line = proc.stdout.readline()
        if line.strip() != b"ready":
            proc.wait(10)
            pytest.fail(f"writer did not start: {line!r} {proc.stderr.read().decode(errors='replace')}")
        time.sleep(delay)
        assert proc.poll() is None, proc.stderr.read().decode(errors="replace")  # still writing when killed
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()


def _check(data: Path, a: bytes, b: bytes, seen: dict, where: str) -> None:
    path = data / "installations" / "port-a.yaml"
    now = path.read_bytes()
    assert now in (a, b), f"{where}: torn file ({len(now)} bytes)"
    seen["A" if now == a else "B"] += 1
    parsed = parse_yaml(now.decode("utf-8"), str(path))
    assert parsed.value is not None and parsed.problems == [], f"{where}: {parsed.problems}"
    names = set(os.listdir(data / "installations"))
    extra = names - {"port-a.yaml", "base-b.yaml", "site-c.yaml"}
    assert all(TEMP_RE.fullmatch(n) for n in extra), f"{where}: unexpected files {sorted(extra)}"
    seen["temp files"] = max(seen["temp files"], len(extra))
    assert set(os.listdir(data)) <= {"actors.yaml", "sources.yaml", "publishers.yaml", "installations"}


def _check_loader(data: Path) -> None:
    ds = Loader(data).load()
    assert sorted(r.id for r in ds.records) == ["base-b", "port-a", "site-c"]
    assert ds.errors == [], [str(p) for p in ds.errors]
    assert not any(".tmp" in p.path for p in ds.problems)


def test_write_atomic_survives_sigkill(good_copy: Path):
    a, b = _versions(good_copy)
    va, vb = good_copy.parent / "A.yaml", good_copy.parent / "B.yaml"
    va.write_bytes(a)
    vb.write_bytes(b)
    target = good_copy / "installations" / "port-a.yaml"
    cmd = [sys.executable, "-c", ATOMIC_SCRIPT, str(ROOT / "src" / "garrison" / "atomic.py"), str(target), str(va), str(vb)]
    scratch = good_copy.parent / "tmp"
    scratch.mkdir()
    rng = random.Random(SEED)
    seen = {"A": 0, "B": 0, "temp files": 0}
    for i in range(ATOMIC_KILLS):
        _kill_at_random(cmd, rng.uniform(0.005, 0.050), scratch)
        _check(good_copy, a, b, seen, f"kill {i} (seed {SEED})")
        if i % 20 == 19:
            _check_loader(good_copy)
    _check_loader(good_copy)
    assert seen["A"] and seen["B"], seen  # the kills did land at different points of the loop
    print(f"\nwrite_atomic: {ATOMIC_KILLS} kills, final versions {seen}")
    # what killed writers left behind is only temp files, and the editor's sweep tidies them
    left = set(os.listdir(good_copy / "installations")) - {"port-a.yaml", "base-b.yaml", "site-c.yaml"}
    assert len(sweep_temp_files(good_copy, min_age_s=0)) == len(left)
    assert sorted(os.listdir(good_copy / "installations")) == ["base-b.yaml", "port-a.yaml", "site-c.yaml"]


def test_store_save_survives_sigkill(good_copy: Path):
    a, b = _versions(good_copy)
    scratch = good_copy.parent / "tmp"
    scratch.mkdir()
    server = subprocess.Popen([sys.executable, "-c", SAVE_SERVER, str(good_copy)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(scratch), cwd=ROOT, text=True)
    rng = random.Random(SEED + 1)
    seen = {"A": 0, "B": 0, "temp files": 0}
    try:
        assert server.stdout.readline().strip() == "ready", server.stderr.read()
        for i in range(SAVE_KILLS):
            server.stdin.write("go\n")
            server.stdin.flush()
            pid = int(server.stdout.readline())
            time.sleep(rng.uniform(0.005, 0.300))  # a save takes ~50-150 ms: kills land in every phase
            os.kill(pid, signal.SIGKILL)
            ended = server.stdout.readline().strip()
            assert ended == "signal 9", f"save kill {i}: the saving process ended by itself ({ended}): {server.stderr.read()}"
            _check(good_copy, a, b, seen, f"save kill {i} (seed {SEED + 1})")
            if i % 20 == 19:
                _check_loader(good_copy)
    finally:
        server.kill()
        server.wait(10)
    _check_loader(good_copy)
    assert seen["A"] and seen["B"], seen  # the kills did land at different points of the loop
    print(f"\nstore.save: {SAVE_KILLS} kills, final versions {seen}")
