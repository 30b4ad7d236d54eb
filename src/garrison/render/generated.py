"""Derived files the browser loads from ``static/generated/``: named by a hash of their content.

Same content, same name (the browser may cache it, a rerun rewrites nothing); a changed content
gets a new name, so a page never mixes an old file with a new one. Several servers (other data
folders, test runs) may share the folder, and a page may still be loading an older file, so old
files are removed only beyond the newest `keep` and once untouched for `min_age_s`.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path

from ..atomic import write_atomic


def _write_or_touch(target: Path, content: Callable[[], bytes]) -> None:
    if target.exists():
        os.utime(target)  # still in use: keep it out of the pruning below
    else:
        write_atomic(target, content())


def write_generated(folder: str | Path, prefix: str, suffix: str, text: str | bytes, keep: int, min_age_s: float = 600.0,
                    gzipped: bool = False) -> str:
    """Write `text` (str as UTF-8, or bytes) as `{prefix}-{hash}{suffix}` in `folder` (atomic); return the file name.

    With `gzipped`, also `{name}.gz` (gzip -9): the server sends a `.gz` file as it is, where it
    gzips a `.json` again on every request (most of 100 ms of its CPU for a 10k payload).
    """
    data = text.encode() if isinstance(text, str) else bytes(text)
    digest = hashlib.blake2b(data, digest_size=10).hexdigest()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{prefix}-{digest}{suffix}"
    if gzipped:  # first: a page is given `name` only once both exist
        _write_or_touch(folder / f"{name}.gz", lambda: gzip.compress(data, compresslevel=9, mtime=0))
    _write_or_touch(folder / name, lambda: data)
    old = sorted(folder.glob(f"{prefix}-*{suffix}"), key=lambda p: p.stat().st_mtime, reverse=True)
    cutoff = time.time() - min_age_s
    for stale in old[keep:]:
        if stale.stat().st_mtime < cutoff:
            stale.unlink(missing_ok=True)
            stale.with_name(f"{stale.name}.gz").unlink(missing_ok=True)
    return name
