"""Saving and deleting: validated, conflict-checked against the disk, atomic, committed to git.

``save`` renders the document, validates it as ``garrison validate`` would (validation.py), refuses
when the file on disk no longer has the digest the form loaded (``Conflict``, nothing overwritten),
and writes with ``atomic.replace_if_unchanged`` under a lock on the data folder.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import schema
from ..atomic import Changed, remove_if_unchanged, replace_if_unchanged
from ..problems import Problem
from . import gitaudit
from .describe import _one_line
from .draft import Draft, _diff, digest_bytes
from .errors import Conflict, DiskError, EditError, ValidationFailed
from .paths import installation_path
from .validation import _cli_problems, _validate


@dataclass
class SaveResult:
    """What a save did. ``problems`` are the remaining warnings; ``git`` is None unless
    GARRISON_GIT_COMMIT=1 and the data is in a git repository (``git.error`` if git failed)."""

    path: Path
    digest: str | None
    written: bool
    changes: list[str] = field(default_factory=list)
    diff: str = ""
    problems: list[Problem] = field(default_factory=list)
    git: gitaudit.GitOutcome | None = None

    @property
    def git_error(self) -> str | None:
        return self.git.error if self.git else None


_THREAD_LOCK = threading.Lock()


@contextlib.contextmanager
def _locked(data_dir: Path, timeout: float = 15.0) -> Iterator[None]:
    """Serialise saves to one data folder across threads and processes: the digest check and the
    write happen under an exclusive flock on the data folder itself (no lock file to litter it)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: serialise within this process only
        with _THREAD_LOCK:
            yield
        return
    fd = os.open(data_dir, os.O_RDONLY)  # each open is its own lock holder, so threads exclude each other too
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise EditError("another save to this data folder is still running; try again") from None
                time.sleep(0.01)
        yield
    finally:
        os.close(fd)  # releases the lock, also when the process is killed


def _check_digest(draft: Draft, expected: str | None, mine: str) -> None:
    """Raise Conflict when the file on disk is not the version the form loaded."""
    try:
        disk = draft.path.read_bytes()
    except FileNotFoundError:
        disk = None
    if _digest_or_none(disk) != expected:
        raise _conflict(draft, expected, disk, mine)


def _digest_or_none(data: bytes | None) -> str | None:
    return digest_bytes(data) if data is not None else None


def _conflict(draft: Draft, expected: str | None, disk: bytes | None, mine: str) -> Conflict:
    """The Conflict for a draft whose file holds ``disk`` (None: no file) instead of the version the form loaded."""
    actual = _digest_or_none(disk)
    disk_text = disk.decode("utf-8", "replace") if disk is not None else None
    diff = _diff(draft.loaded_text or "", disk_text or "", f"{draft.path} (as the form loaded it)",
                 f"{draft.path} (on disk now)", 3)
    return Conflict(str(draft.path), expected, actual, diff, disk_text, mine)


def commit_message(label: str, changes: list[str]) -> tuple[str, str]:
    """(subject, body) for the audit commit: ``khmeimim: history[5] status reduced -> withdrawing``."""
    if not changes:
        return f"{label}: saved (formatting only)", ""
    subject = f"{label}: {changes[0]}"
    if len(changes) > 1:
        subject += f" (+{len(changes) - 1} more)"
    body = "\n".join(f"- {c}" for c in changes) if len(changes) > 1 else ""
    return _one_line(subject, 200), body




def _disk_errors_as_edit_errors(fn):
    """An OSError from the disk (read-only, full) reaches the person editing as a DiskError, not a traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except OSError as exc:
            raise DiskError(exc.filename or "the data folder", exc) from exc
    return wrapper


def _refreshed_ids(data_dir: Path) -> list[Path]:
    """Editors' schema/ids.schema.json brought up to date with the saved data; [its path] if it changed."""
    return [Path(data_dir) / schema.COPY_DIR / schema.IDS_FILE] if schema.write_ids_schema(data_dir) else []


@_disk_errors_as_edit_errors
def save(draft: Draft, expected_digest: str | None) -> SaveResult:
    """Validate and write the draft atomically, if the file on disk still has ``expected_digest``.

    ``expected_digest`` is the digest the form loaded (``draft.digest``), or None for a new file
    (then the file must not exist yet). Raises ``ValidationFailed`` (errors found, nothing
    written) or ``Conflict`` (the file changed meanwhile, nothing written, ``.diff`` shows how).
    """
    text = draft.render()
    problems = _validate(draft, text)
    if any(p.severity == "error" for p in problems):
        raise ValidationFailed(problems)
    changes = draft.changes()
    diff = draft.diff()
    with _locked(draft.data_dir):
        _check_digest(draft, expected_digest, text)
        if draft.loaded_text == text:
            return SaveResult(draft.path, draft.digest, False, [], "", problems)
        try:  # the check again, on the very file the new one displaces: a hand edit made meanwhile stays
            replace_if_unchanged(draft.path, text, lambda found: _digest_or_none(found) == expected_digest)
        except Changed as exc:
            raise _conflict(draft, expected_digest, exc.found, text) from None
        new_digest = digest_bytes(text.encode("utf-8"))
        subject, body = (f"{draft.label}: created", "") if draft.is_new else commit_message(draft.label, changes)
        outcome = gitaudit.commit_paths(draft.data_dir, [draft.path, *_refreshed_ids(draft.data_dir)], subject, body)
    draft.loaded_text, draft.digest = text, new_digest
    return SaveResult(draft.path, new_digest, True, changes, diff, problems, outcome)

@_disk_errors_as_edit_errors
def delete(data_dir: str | os.PathLike, inst_id: str, confirm: str, expected_digest: str | None = None) -> SaveResult:
    """Delete ``installations/<inst_id>.yaml``, only when ``confirm == inst_id``.

    Prefer ``retire`` (the history stays). Refuses when the deletion would break another file
    (a route through it); with ``expected_digest``, refuses when the file changed meanwhile.
    """
    path = installation_path(data_dir, inst_id)
    if confirm != inst_id:
        raise EditError(f"not deleted: type the id {inst_id!r} exactly to confirm (or retire it instead)")
    if not path.exists():
        raise EditError(f"not deleted: {path} does not exist")
    data_dir = Path(data_dir)
    before, after = _cli_problems(data_dir, f"installations/{path.name}", None)
    known = set(before)
    broken = [p for p in after if p.severity == "error" and p not in known]
    if broken:
        raise ValidationFailed(broken)
    with _locked(data_dir):
        try:  # unless expected_digest is None, only the version the form loaded is deleted
            remove_if_unchanged(path, lambda found: expected_digest is None or _digest_or_none(found) == expected_digest)
        except Changed as exc:
            text = exc.found.decode("utf-8", "replace") if exc.found is not None else ""
            raise Conflict(str(path), expected_digest, _digest_or_none(exc.found), "", text, "") from None
        outcome = gitaudit.commit_paths(data_dir, [path, *_refreshed_ids(data_dir)], f"{inst_id}: deleted", "")
    return SaveResult(path, None, True, ["deleted"], "", [], outcome)
