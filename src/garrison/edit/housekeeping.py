"""Housekeeping: temporary files left by a writer killed mid-write."""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path

_TEMP_RE = re.compile(r"\.[^/]+\.[a-z0-9_]+\.(tmp|deleting)")  # atomic.py's temporary and claimed files


def sweep_temp_files(data_dir: str | os.PathLike, min_age_s: float = 3600) -> list[Path]:
    """Remove ``.<name>.*.tmp`` files left by a writer killed mid-write (older than ``min_age_s``).

    The loader never reads them (it reads ``*.yaml`` only), so this is tidying, not repair.
    """
    removed = []
    now = time.time()
    for folder in (Path(data_dir), Path(data_dir) / "installations"):
        if not folder.is_dir():
            continue
        for entry in os.scandir(folder):
            if entry.is_file(follow_symlinks=False) and _TEMP_RE.fullmatch(entry.name):
                if now - entry.stat(follow_symlinks=False).st_mtime >= min_age_s:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                        removed.append(Path(entry.path))
    return removed
