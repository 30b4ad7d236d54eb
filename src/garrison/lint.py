"""Round-trip format lint: one normal form for data files, so diffs stay semantic.

ruamel.yaml re-emits each file keeping comments, key order and quoting; the normal form
differs from hand formatting only in indentation, spacing and unquoted dates (quoted, since
a bare date would become a timestamp in other YAML tools).
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import os
import sys
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from . import datafiles, schema
from .atomic import Changed, replace_if_unchanged


def _yaml(top_level_list: bool = False) -> YAML:
    """Installations indent lists under their key; actors/sources lists start at column 0."""
    y = YAML(typ="rt")
    y.preserve_quotes = True
    if top_level_list:
        y.indent(mapping=2, sequence=2, offset=0)
    else:
        y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096  # never re-wrap long lines
    y.allow_unicode = True
    return y


def _quote_dates(node) -> None:
    """Bare dates become quoted strings (the loader reads them as text anyway)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, (dt.date, dt.datetime)):
                node[k] = SingleQuotedScalarString(v.isoformat())
            else:
                _quote_dates(v)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if isinstance(v, (dt.date, dt.datetime)):
                node[i] = SingleQuotedScalarString(v.isoformat())
            else:
                _quote_dates(v)


def normalise(text: str) -> str:
    """The normal form of a YAML text (raises ruamel's YAMLError for broken YAML)."""
    data = _yaml().load(text)
    _quote_dates(data)
    buf = io.StringIO()
    _yaml(isinstance(data, list)).dump(data, buf)
    return buf.getvalue()


def data_files(data_dir: Path) -> list[Path]:
    """Every data file that exists, in the loader's order."""
    return [Path(p) for p, _ in datafiles.listing(data_dir) if os.path.exists(p)]


def is_data_file(path: Path, data_dir: Path) -> bool:
    """Whether `path` is one of the data folder's files (the only ones lint may rewrite)."""
    try:
        rel = path.resolve().relative_to(data_dir.resolve())
    except (OSError, ValueError):
        return False
    return datafiles.kind_of(rel) is not None


def run_lint(data_dir: Path, files: list[str], fix: bool) -> int:
    """Print files not in normal form (with a diff); rewrite them with --fix.

    Exit 1 if any file is not in normal form, 2 if a named file is not a data file of `data_dir`
    (lint never rewrites what it does not know to be Garrison data).
    """
    paths = [Path(f) for f in files] or data_files(data_dir)
    foreign = [p for p in paths if not is_data_file(p, data_dir)]
    for path in foreign:
        print(f"{path}: not a Garrison data file of {data_dir} (actors.yaml, sources.yaml, routes.yaml or "
              f"installations/*.yaml); left untouched", file=sys.stderr)
    if foreign:
        return 2
    dirty = 0
    for path in paths:
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{path}: cannot lint a file that cannot be read as UTF-8 text: {exc}", file=sys.stderr)
            dirty += 1
            continue
        try:
            normal = normalise(text)
        except YAMLError as exc:
            print(f"{path}: cannot lint broken YAML: {exc}".replace("\n", " "), file=sys.stderr)
            dirty += 1
            continue
        if normal == text:
            continue
        if fix:
            try:  # a hand edit saved while lint ran is kept, not reformatted away
                replace_if_unchanged(path, normal, lambda found, raw=raw: found == raw)
            except Changed:
                print(f"{path}: changed on disk while lint was fixing it; left as it is (run lint --fix again)",
                      file=sys.stderr)
                dirty += 1
                continue
            print(f"{path}: reformatted")
            continue
        dirty += 1
        diff = difflib.unified_diff(text.splitlines(True), normal.splitlines(True), str(path), f"{path} (normal form)", n=1)
        sys.stdout.writelines(diff)
    if not files:  # the whole folder: its schema copies (for editors) are the library's too
        dirty += _lint_schema_copies(data_dir, fix)
    if dirty and not fix:
        print(f"{dirty} file(s) not in normal form; run: python -m garrison lint --fix", file=sys.stderr)
    return 1 if dirty else 0


def _lint_schema_copies(data_dir: Path, fix: bool) -> int:
    """With --fix, write the JSON Schemas into schema/ (created if missing); else count stale copies.

    The copies are the library's, but for ids.schema.json: that one is made from the data's ids.
    """
    if fix:
        for path in schema.write_copies(data_dir):
            made = "this data folder's ids" if path.name == schema.IDS_FILE else "this Garrison version's schema"
            print(f"{path}: written ({made})")
        return 0
    stale = schema.stale_copies(data_dir)
    for path in stale:
        why = "out of date with this data folder's ids" if path.name == schema.IDS_FILE else "differs from this Garrison version's schema"
        print(f"{path}: {why}", file=sys.stderr)
    return len(stale)
