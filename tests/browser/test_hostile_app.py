"""The hostile-files corpus through the running app: the server stays up, bounded, and serves the rest.

The real server (``streamlit run app.py``) on a copy of the bundled data plus files built to take it
down -- nesting 1k and 50k levels deep, a FIFO, a link to /dev/zero, a link to a file outside the
folder, a 50 MB file -- driven by raw websocket sessions (tests/stream_client.py). Every run must
finish, show each bad file in the problems panel, keep every good installation, never show the
bytes of the file outside, and leave the server's memory and thread count flat across sessions.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from paths import BUNDLED
from stream_client import StreamSession

import garrison

pytestmark = pytest.mark.browser

SECRET = "TOP-SECRET-BYTES: nobody may see this"
HOSTILE = ("deep-1k.yaml", "deep-50k.yaml", "fifo.yaml", "zero.yaml", "outside.yaml", "huge.yaml")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "data"
    shutil.copytree(BUNDLED, folder)
    inst = folder / "installations"
    for name, levels in (("deep-1k.yaml", 1_000), ("deep-50k.yaml", 50_000)):
        (inst / name).write_text("id: deep\nname: [" + "[" * levels + "\n")
    os.mkfifo(inst / "fifo.yaml")
    (inst / "zero.yaml").symlink_to("/dev/zero")
    (root / "secret.txt").write_text(SECRET + "\n")
    (inst / "outside.yaml").symlink_to(root / "secret.txt")
    with open(inst / "huge.yaml", "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    return folder


@pytest.fixture(scope="module")
def server(start_server, data):
    return start_server(data)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def page(server) -> list[str]:
    """The texts of one fresh page's full run (the second run: the first paint stops after the map)."""
    with StreamSession(server.url, origin=server.url) as s:
        s.rerun("")
        run = s.rerun("")
        assert run.exception is None, run.exception
        return run.texts


def test_every_good_installation_is_served_and_each_bad_file_is_named(server, data):
    good = len(garrison.load(BUNDLED).records)
    texts = page(server)
    assert any(f"Data: {good} installations" in t for t in texts), [t[:80] for t in texts]
    problems = next(t for t in texts if "fifo.yaml" in t)
    for name in HOSTILE:
        assert f"installations/{name}:" in problems, name
    assert "not a regular file" in problems and "link to outside the data folder" in problems
    assert "nested more than 64 levels" in problems and "larger than" in problems
    # must not: the bytes of the file outside the folder, or the server's own paths in a traceback
    assert not [t for t in texts if SECRET in t or "Traceback" in t]


def test_memory_and_threads_stay_flat_across_sessions(server):
    pid = server.proc.pid
    page(server)  # warm: every cache filled
    rss0, threads0 = rss_mb(pid), threads(pid)
    for _ in range(10):
        page(server)
    grown = rss_mb(pid) - rss0
    # must not: memory grow with each session (a /dev/zero read) or threads left stuck (a FIFO read)
    assert grown < 60, f"RSS grew {grown:.0f} MB over 10 sessions"
    assert rss_mb(pid) < 1500
    assert threads(pid) <= threads0 + 4, (threads0, threads(pid))
    assert server.proc.poll() is None  # still up
