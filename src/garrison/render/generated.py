"""Derived files the browser loads from ``static/generated/``: named by a hash of their content.

Same content, same name (the browser may cache it, a rerun rewrites nothing); a changed content
gets a new name, so a page never mixes an old file with a new one. Several servers (other data
folders, test runs) may share the folder, and a page may still be loading an older file, so old
files are removed only beyond the newest `keep` and once untouched for `min_age_s`.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from ..atomic import write_atomic


def write_generated(folder: str | Path, prefix: str, suffix: str, text: str, keep: int, min_age_s: float = 600.0) -> str:
    """Write `text` as `<prefix>-<hash><suffix>` in `folder` (atomic); return the file name."""
    digest = hashlib.blake2b(text.encode(), digest_size=10).hexdigest()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{prefix}-{digest}{suffix}"
    target = folder / name
    if target.exists():
        os.utime(target)  # still in use: keep it out of the pruning below
    else:
        write_atomic(target, text)
    old = sorted(folder.glob(f"{prefix}-*{suffix}"), key=lambda p: p.stat().st_mtime, reverse=True)
    cutoff = time.time() - min_age_s
    for stale in old[keep:]:
        if stale.stat().st_mtime < cutoff:
            stale.unlink(missing_ok=True)
    return name
