"""Which files of a data folder are Garrison data: the one rule the loader, lint and the editor share."""

from __future__ import annotations

import os
from pathlib import Path

TOP_LEVEL = {"actors.yaml": "actors", "sources.yaml": "sources", "routes.yaml": "routes", "publishers.yaml": "publishers"}
INSTALLATIONS = "installations"
SUFFIXES = (".yaml", ".yml")


def kind_of(rel: str | os.PathLike) -> str | None:
    """What the file at `rel` (relative to the data folder) holds -- actors, sources, routes, publishers or
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


def path_of(data_dir: str | os.PathLike, rel: str | os.PathLike) -> str:
    """The key the loader files `rel` under: the path as Path spells it."""
    return str(Path(data_dir) / rel)


def listing(data_dir: str | os.PathLike) -> list[tuple[str, str]]:
    """(path, kind) of every data file: the top-level files (whether or not they exist, so a missing
    actors.yaml can be reported), then installations/ in name order."""
    base = Path(data_dir)  # paths spelt as Path spells them ("./x" is "x"): they are the loader's keys
    out = [(str(base / name), kind) for name, kind in TOP_LEVEL.items()]
    inst_dir = str(base / INSTALLATIONS)
    if os.path.isdir(inst_dir):
        out += [(os.path.join(inst_dir, n), "installation")  # plain strings: a warm reload of 10k files stays fast
                for n in sorted(os.listdir(inst_dir)) if is_installation_name(n)]
    return out
