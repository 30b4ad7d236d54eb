"""Which files of a data folder are Garrison data: the one rule the loader, lint and the editor share."""

from __future__ import annotations

import os
from pathlib import Path

TOP_LEVEL = {"actors.yaml": "actors", "sources.yaml": "sources", "routes.yaml": "routes"}
INSTALLATIONS = "installations"
SUFFIXES = (".yaml", ".yml")


def kind_of(rel: str | os.PathLike) -> str | None:
    """What the file at `rel` (relative to the data folder) holds -- actors, sources, routes or
    installation -- or None for anything else (other folders, dotfiles such as editors' temporary files)."""
    parts = Path(rel).parts
    if len(parts) == 1:
        return TOP_LEVEL.get(parts[0])
    if len(parts) == 2 and parts[0] == INSTALLATIONS and is_installation_name(parts[1]):
        return "installation"
    return None


def is_installation_name(name: str) -> bool:
    """A file name in installations/ that holds an installation."""
    return name.endswith(SUFFIXES) and not name.startswith(".")


def listing(data_dir: str | os.PathLike) -> list[tuple[str, str]]:
    """(path, kind) of every data file: the top-level files (whether or not they exist, so a missing
    actors.yaml can be reported), then installations/ in name order."""
    base = str(data_dir)
    out = [(os.path.join(base, name), kind) for name, kind in TOP_LEVEL.items()]
    inst_dir = os.path.join(base, INSTALLATIONS)
    if os.path.isdir(inst_dir):
        out += [(os.path.join(inst_dir, n), "installation")  # plain strings: a warm reload of 10k files stays fast
                for n in sorted(os.listdir(inst_dir)) if is_installation_name(n)]
    return out
