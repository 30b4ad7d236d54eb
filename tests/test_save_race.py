"""A hand edit racing an in-app save is never overwritten: thousands of real races, zero losses.

Another process (the "hand editor") writes the file at a random moment while this one saves it,
either as most editors and `sed -i` do (a new file renamed over the old one) or in place (open
with truncation, write). Whatever the timing, the hand edit must be what is on disk afterwards:
the save either saw it and refused (Changed / Conflict), or came first and was then replaced by
it. Both outcomes must occur, so the races really overlapped the save.
"""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from garrison import atomic
from garrison.atomic import Changed, replace_if_unchanged

HAND_EDITOR = textwrap.dedent("""
    import os, sys, time
    for line in sys.stdin:
        mode, delay_ns, path, text = line.rstrip("\\n").split("\\t")
        until = time.perf_counter_ns() + int(delay_ns)
        while time.perf_counter_ns() < until:
            pass
        if mode == "rename":
            tmp = path + ".hand~"
            with open(tmp, "w") as fh:
                fh.write(text)
            os.replace(tmp, path)
        else:
            with open(path, "w") as fh:
                fh.write(text)
        print("done", flush=True)
""")


class HandEditor:
    """A separate process that writes a file after a delay, on request."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-c", HAND_EDITOR], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)

    def write_soon(self, mode: str, delay_s: float, path: Path, text: str) -> None:
        self.proc.stdin.write(f"{mode}\t{int(delay_s * 1e9)}\t{path}\t{text}\n")
        self.proc.stdin.flush()

    def wait(self) -> None:
        assert self.proc.stdout.readline().strip() == "done"

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.fixture
def hand_editor():
    editor = HandEditor()
    yield editor
    editor.close()


def race(tmp_path: Path, hand_editor: HandEditor, mode: str, trials: int, save) -> dict[str, int]:
    """`trials` races of ``save(path, base, mine)`` against a hand write; returns the outcome counts."""
    path = tmp_path / "tartus.yaml"
    rng = random.Random(20261203)
    path.write_text("warm-up\n")
    started = time.perf_counter()
    for _ in range(20):
        save(path, path.read_bytes(), b"warm-up\n")
    span = (time.perf_counter() - started) / 20  # how long one save takes here
    outcomes = {"refused": 0, "saved then replaced": 0, "lost": 0}
    for i in range(trials):
        base = f"name: base {i}\n".encode()
        hand = f"name: hand {i}"
        path.write_bytes(base)
        hand_editor.write_soon(mode, rng.uniform(0, 1.5 * span), path, hand)
        try:
            save(path, base, f"name: saved {i}\n".encode())
        except Changed:
            outcomes["refused"] += 1
        else:
            outcomes["saved then replaced"] += 1
        hand_editor.wait()
        if path.read_text() != hand:
            outcomes["lost"] += 1
    return outcomes


def cas_save(path: Path, base: bytes, mine: bytes) -> None:
    replace_if_unchanged(path, mine, lambda found: found == base)


@pytest.mark.parametrize("mode", ["rename", "in place"])
def test_thousands_of_races_lose_no_hand_edit(tmp_path: Path, hand_editor: HandEditor, mode: str):
    outcomes = race(tmp_path, hand_editor, mode, 2000, cas_save)
    # must not: a hand edit overwritten by the save
    assert outcomes["lost"] == 0, outcomes
    # the races overlapped the save: some hand edits came before it, some after
    assert outcomes["refused"] > 20 and outcomes["saved then replaced"] > 20, outcomes
    assert not list(tmp_path.glob(".*.tmp")), "temporary files left behind"


def test_without_an_atomic_swap_the_check_just_before_the_rename_still_refuses(tmp_path: Path, monkeypatch):
    # a file system without renameat2: the fallback checks the bytes on disk, then renames
    monkeypatch.setattr(atomic, "_renameat2", lambda: None)
    path = tmp_path / "a.yaml"
    path.write_bytes(b"hand edit\n")
    with pytest.raises(Changed) as refused:
        replace_if_unchanged(path, b"mine\n", lambda found: found == b"as loaded\n")
    assert refused.value.found == b"hand edit\n" and path.read_bytes() == b"hand edit\n"
    replace_if_unchanged(path, b"mine\n", lambda found: found == b"hand edit\n")
    assert path.read_bytes() == b"mine\n"


def test_a_new_file_is_not_created_over_one_made_meanwhile(tmp_path: Path):
    path = tmp_path / "new.yaml"
    replace_if_unchanged(path, b"created\n", lambda found: found is None)
    assert path.read_bytes() == b"created\n"
    with pytest.raises(Changed) as refused:
        replace_if_unchanged(path, b"second create\n", lambda found: found is None)
    # must not: the file made first is replaced
    assert refused.value.found == b"created\n" and path.read_bytes() == b"created\n"
    path.unlink()
    with pytest.raises(Changed):  # expected a file there, and it is gone: not recreated
        replace_if_unchanged(path, b"edit of a deleted file\n", lambda found: found == b"created\n")
    assert not path.exists()


def test_a_save_refuses_while_an_editor_has_the_file_open_for_writing(tmp_path: Path):
    # an editor that opened the file in place just before the swap writes into the inode it opened;
    # had the save gone through, that write would land in the displaced file and vanish with it
    path = tmp_path / "tartus.yaml"
    path.write_bytes(b"name: base\n")
    with open(path, "r+b") as editor:
        with pytest.raises(Changed):
            replace_if_unchanged(path, b"name: saved\n", lambda found: found == b"name: base\n")
        editor.truncate(0)
        editor.write(b"name: hand\n")
    # must not: the hand edit lost, or the save's temporary file left behind
    assert path.read_bytes() == b"name: hand\n"
    assert not list(tmp_path.glob(".*.tmp"))
    replace_if_unchanged(path, b"name: saved\n", lambda found: found == b"name: hand\n")  # once it is closed
    assert path.read_bytes() == b"name: saved\n"
