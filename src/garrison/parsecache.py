"""A cache of parsed data files, keyed by content, so a cold start does not parse 10k files again.

Parsing and checking a file against the schema costs about a millisecond; reading and hashing it,
a hundredth of that. The cache keeps, per data folder, what the loader made of each file (value,
positions, problems, record) with the blake2b digest of the bytes it was made from. A file whose
bytes still have that digest is taken from the cache; any other is parsed. The cache is one
pickle file per data folder and version of this code (the library's sources and schemas are part
of the key), in ``$GARRISON_CACHE``, else ``$XDG_CACHE_HOME/garrison``, else ``~/.cache/garrison``.

Pickle runs code when loaded, so a cache file is read only from a folder and a file that belong to
this user and that nobody else can write; anything else (or a file that fails to load) is ignored,
and the data is parsed as if there were no cache. Writes are atomic; a cache that cannot be written
(a read-only home) is skipped without a word to the user, logged only.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import stat
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger("garrison.cache")
FORMAT = 1


def default_cache_dir() -> Path:
    given = os.environ.get("GARRISON_CACHE")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "garrison"


@functools.cache
def code_version() -> str:
    """A digest of everything that decides what a file parses to: this package's sources and
    schemas, the vocabulary in use (vocab.yaml or $GARRISON_VOCAB's), Python's version."""
    from .vocab import VOCAB_FILE

    package = Path(__file__).resolve().parent
    h = hashlib.blake2b(f"{FORMAT}|{sys.version}".encode(), digest_size=16)
    for path in sorted([*package.glob("*.py"), *package.glob("schemas/*.json")]) + [VOCAB_FILE]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


class ParseCache:
    """The cached entries of one data folder: ``get(path, digest)``, ``put_all(entries)``."""

    def __init__(self, cache_dir: str | os.PathLike, data_dir: str | os.PathLike):
        self.folder = Path(cache_dir)
        key = hashlib.blake2b(f"{Path(data_dir).resolve()}|{code_version()}".encode(), digest_size=12).hexdigest()
        self.file = self.folder / f"parsed-{key}.pickle"
        self._entries: dict[str, Any] | None = None

    def get(self, path: str, digest: str) -> Any | None:
        """The entry cached for `path` if it was made from bytes with this digest, else None."""
        if self._entries is None:
            self._entries = self._read()
        entry = self._entries.get(path)
        return entry if entry is not None and entry.digest == digest else None

    def put_all(self, entries: dict[str, Any]) -> None:
        """Replace the cache with these entries (the loader's, right after a refresh)."""
        self._entries = dict(entries)
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not _private(self.folder, folder=True):
                log.warning("not writing the parse cache: %s is not a private folder of this user", self.folder)
                return
            data = pickle.dumps(self._entries, protocol=pickle.HIGHEST_PROTOCOL)
            tmp = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self.file)
        except OSError as exc:  # a read-only or full disk: the cache is an optimisation, not data
            log.info("parse cache not written (%s)", exc)

    def _read(self) -> dict[str, Any]:
        try:
            if not (_private(self.folder, folder=True) and _private(self.file)):
                return {}
            with open(self.file, "rb") as fh:
                data = fh.read()
            entries = pickle.loads(data)  # the loader reads it with garbage collection paused (heap.paused)
        except FileNotFoundError:
            return {}
        except Exception as exc:  # a truncated or foreign file: parse as if there were no cache
            log.warning("ignoring the parse cache %s (%s)", self.file, exc)
            return {}
        return entries if isinstance(entries, dict) else {}


def _private(path: Path, folder: bool = False) -> bool:
    """True when `path` belongs to this user, nobody else can write it, and it is what it should be."""
    st = os.lstat(path)
    kind_ok = stat.S_ISDIR(st.st_mode) if folder else stat.S_ISREG(st.st_mode)
    return kind_ok and st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
