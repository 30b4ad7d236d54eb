"""Atomic file writes: a crash at any moment leaves the old file or the new one, never a torn one.

``write_atomic`` replaces a file unconditionally. ``replace_if_unchanged`` replaces it only if the
file it displaces is still the version the caller expects, checked on the very file that was
displaced, so a hand edit landing between a check and the write is never overwritten: on Linux
the new file is swapped in with ``renameat2(RENAME_EXCHANGE)`` and the file that came out is
examined afterwards; if it was not the expected one, it is swapped straight back.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import logging
import os
import secrets
import tempfile

try:
    import fcntl  # leases (Linux): who still has a file open for writing
except ImportError:  # not a POSIX system
    fcntl = None
from collections.abc import Callable
from pathlib import Path

RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2
_AT_FDCWD = -100
log = logging.getLogger("garrison.atomic")


class Changed(Exception):
    """The file was not the expected version when it was to be replaced; nothing was overwritten."""

    def __init__(self, path: Path, found: bytes | None):
        super().__init__(f"{path} changed on disk while it was being saved")
        self.path, self.found = path, found  # found: the bytes on disk (None: no file)


def write_atomic(path: str | os.PathLike, content: str | bytes) -> None:
    """Write `content` (text as UTF-8, or bytes) to `path` via a temporary file in the same folder, fsync, then os.replace."""
    target = Path(path)
    tmp = _temp_copy(target, content)
    try:
        os.replace(tmp, target)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    _fsync_dir(target.parent)


def replace_if_unchanged(path: str | os.PathLike, content: str | bytes,
                         unchanged: Callable[[bytes | None], bool]) -> None:
    """Replace `path` with `content` only if ``unchanged(bytes on disk)`` holds for the file replaced.

    ``unchanged(None)`` answers for a file that does not exist. Raises ``Changed`` (with what was
    found) and leaves the file on disk as it is when the check fails, also for a write made by
    another process a moment before the swap. Where the kernel or file system cannot swap files
    atomically, falls back to checking just before ``os.replace`` (a window of a few microseconds).
    """
    target = Path(path)
    tmp = _temp_copy(target, content)
    try:
        if not os.path.lexists(target):
            if not unchanged(None):
                raise Changed(target, None)
            try:
                _rename2(tmp, target, RENAME_NOREPLACE)
                _fsync_dir(target.parent)
                return
            except FileExistsError:
                pass  # created meanwhile: the swap below displaces it and finds it was not expected
            except _NoAtomicSwap:
                return _replace_after_check(tmp, target, unchanged)
        ours = os.stat(tmp).st_ino
        try:
            _rename2(tmp, target, RENAME_EXCHANGE)
        except FileNotFoundError:
            raise Changed(target, None) from None  # deleted meanwhile: nothing to put back
        except _NoAtomicSwap:
            return _replace_after_check(tmp, target, unchanged)
        displaced = Path(tmp).read_bytes()  # what was on disk at the instant of the swap
        if not unchanged(displaced) or _being_written(tmp):
            _swap_back(tmp, target, ours)
            raise Changed(target, displaced)
        _fsync_dir(target.parent)
    finally:
        _unlink_quietly(tmp)


def remove_if_unchanged(path: str | os.PathLike, unchanged: Callable[[bytes | None], bool]) -> None:
    """Delete `path` only if ``unchanged(its bytes)`` holds for the file removed; else raise ``Changed``.

    The file is first renamed to a private name, so the check reads exactly the file that leaves
    the path; a hand edit saved meanwhile goes back to the path (or, if the path was written again
    since, the newest version stays there)."""
    target = Path(path)
    claim = target.with_name(f".{target.name}.{secrets.token_hex(4)}.deleting")
    try:
        os.rename(target, claim)
    except FileNotFoundError:
        raise Changed(target, None) from None
    found = Path(claim).read_bytes()
    if unchanged(found):
        os.unlink(claim)
        _fsync_dir(target.parent)
        return
    try:
        _rename2(claim, target, RENAME_NOREPLACE)
    except FileExistsError:
        os.unlink(claim)  # the path was written again meanwhile: that newer version stays
    except _NoAtomicSwap:
        if os.path.lexists(target):
            os.unlink(claim)
        else:
            os.rename(claim, target)
    _fsync_dir(target.parent)
    raise Changed(target, found)


def _being_written(path: str) -> bool:
    """True when some process has `path` open for writing: an editor that opened the file in place
    just before the swap, whose write would land in the displaced file once it is gone. A read
    lease is refused exactly then (Linux); where leases do not exist, False."""
    if fcntl is None or not hasattr(fcntl, "F_SETLEASE"):
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except OSError as err:  # EAGAIN: a writer has it open; EINVAL/EACCES: no lease here (not knowable)
        return err.errno in (errno.EAGAIN, errno.EBUSY)
    else:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        return False
    finally:
        os.close(fd)


def _swap_back(tmp: str, target: Path, ours: int) -> None:
    """Put the displaced file back. Should someone have replaced our new file meanwhile, theirs
    (the newest hand write) is what stays; the one in between was superseded by its own author."""
    _rename2(tmp, target, RENAME_EXCHANGE)
    if os.stat(tmp).st_ino != ours:
        _rename2(tmp, target, RENAME_EXCHANGE)
    _fsync_dir(target.parent)


def _replace_after_check(tmp: str, target: Path, unchanged: Callable[[bytes | None], bool]) -> None:
    try:
        found: bytes | None = target.read_bytes()
    except FileNotFoundError:
        found = None
    if not unchanged(found):
        raise Changed(target, found)
    os.replace(tmp, target)
    _fsync_dir(target.parent)


class _NoAtomicSwap(Exception):
    """renameat2 is not available here (not Linux, an old C library, or a file system without it)."""


def _rename2(src: str | os.PathLike, dst: str | os.PathLike, flags: int) -> None:
    fn = _renameat2()
    if fn is None:
        raise _NoAtomicSwap
    if fn(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) == 0:
        return
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        log.warning("this file system cannot swap files atomically (%s); saving with a check just before the rename",
                    os.strerror(code))
        raise _NoAtomicSwap
    raise OSError(code, os.strerror(code), os.fspath(dst))


@functools.cache
def _renameat2():
    """The C library's renameat2, or None."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def _temp_copy(target: Path, content: str | bytes) -> str:
    """`content` in a new, fsynced temporary file beside `target`, with the mode `target` has (or a new file gets)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with (os.fdopen(fd, "wb") if isinstance(content, bytes) else os.fdopen(fd, "w", encoding="utf-8", newline="")) as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes 0600 files; keep the mode of the file replaced, or what a hand-made file gets.
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask())
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return tmp


def _fsync_dir(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # make the rename itself durable
    finally:
        os.close(dir_fd)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _umask() -> int:
    """The process's umask (reading it means setting it, so set it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
