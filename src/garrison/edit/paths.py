"""Where an editor may read and write: ids are checked before they ever become paths.

An installation id comes from a browser form, so it is untrusted. Only the id form the schema
allows is accepted (lowercase ASCII letters and digits, single dashes, at most 80 characters),
and the resulting path must still lie directly inside ``<data>/installations`` once every
symlink is resolved.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_ID = 80


def check_id(inst_id: object, what: str = "installation id", max_len: int = MAX_ID) -> str:
    """The id itself if it is a valid id; ValueError with a reason otherwise."""
    if not isinstance(inst_id, str):
        raise ValueError(f"{what} must be text, not {type(inst_id).__name__}")
    if not inst_id:
        raise ValueError(f"{what} is empty")
    if len(inst_id) > max_len:
        raise ValueError(f"{what} is longer than {max_len} characters")
    if ID_RE.fullmatch(inst_id) is None:  # fullmatch: no trailing newline slips through as with `$`
        raise ValueError(f"{what} {inst_id!r} is not allowed: use lowercase letters a-z, digits and single dashes "
                         "between them (e.g. 'al-tanf'); no slashes, dots, spaces or other characters")
    return inst_id


def _inside(path: Path, folder: Path, what: str) -> None:
    real_dir = folder.resolve()
    real = path.resolve()  # follows symlinks, including a link planted in place of the file
    if real.parent != real_dir:
        raise ValueError(f"{what} resolves to {real}, outside {real_dir}; refusing to touch it")


def installation_path(data_dir: str | os.PathLike, inst_id: object) -> Path:
    """``<data_dir>/installations/<inst_id>.yaml`` for a valid id that stays inside that folder."""
    check_id(inst_id)
    folder = Path(data_dir) / "installations"
    path = folder / f"{inst_id}.yaml"
    _inside(path, folder, f"installation file for {inst_id!r}")
    return path


def sources_path(data_dir: str | os.PathLike) -> Path:
    """``<data_dir>/sources.yaml``, checked not to be a symlink out of the data folder."""
    path = Path(data_dir) / "sources.yaml"
    _inside(path, Path(data_dir), "sources.yaml")
    return path
