"""Validating a draft exactly as ``garrison validate`` would, through the process's incremental loader."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..loader import shared_loader
from ..problems import Problem, field_name
from ..yamlsafe import parse_yaml
from . import values
from .draft import Draft
from .values import MAX_FILE_BYTES, to_plain


def _cli_problems(data_dir: Path, target: str, text: str | None) -> tuple[list[Problem], list[Problem]]:
    """(problems before, problems after) replacing ``target`` (relative to the data folder) by ``text``
    (None: removing it), as ``validate`` reports them, with paths under ``data_dir``.

    Both come from the process's incremental loader: only the edited file is parsed again.
    """
    data_dir = Path(data_dir)
    loader = shared_loader(data_dir)
    before = loader.load().problems
    after = loader.load(overrides={target: None if text is None else text.encode("utf-8")}).problems
    prefix = str(loader.data_dir) + os.sep
    return [_relocate(p, prefix, data_dir) for p in before], [_relocate(p, prefix, data_dir) for p in after]


def _relocate(p: Problem, prefix: str, data_dir: Path) -> Problem:
    """A problem as the loader (of the resolved folder) names it, named as under ``data_dir``."""
    if str(data_dir) + os.sep == prefix:
        return p
    path = str(data_dir / p.path[len(prefix):]) if p.path.startswith(prefix) else p.path
    message = p.message.replace(prefix, str(data_dir) + os.sep)
    return replace(p, path=path, message=message)


def _roundtrip_problems(draft: Draft, text: str) -> list[Problem]:
    """Errors where the loader would read a value other than the one the form set.

    The loader and the editor both use ruamel.yaml's YAML 1.2 rules, so this should find nothing;
    it stays as the last check before a write (a date or an explicit tag is converted by each side)."""
    parsed = parse_yaml(text, str(draft.path))
    if parsed.value is None:
        return []  # the loader's own problems say why
    intended = to_plain(draft.doc)
    out: list[Problem] = []

    def walk(a: Any, b: Any, path: tuple) -> None:
        if out:
            return
        if isinstance(a, dict) and isinstance(b, dict) and list(a) == list(b):
            for k in a:
                walk(a[k], b[k], path + (k,))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, path + (i,))
        elif type(a) is not type(b) or a != b:
            if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and a == b:
                return
            line, col = parsed.where(path)
            out.append(Problem(str(draft.path), line, col, field_name(path),
                               f"would be read back as {b!r:.80} instead of {a!r:.80}; not saved", "error", draft.record_id))

    walk(intended, parsed.value, ())
    return out


def _limit_problems(draft: Draft, text: str) -> list[Problem]:
    size = len(text.encode("utf-8", "surrogatepass"))
    path = str(draft.path)
    if size > MAX_FILE_BYTES:
        return [Problem(path, 1, 1, "", f"the file would be {size:,} bytes; the editor's limit is {MAX_FILE_BYTES:,} bytes "
                        "(shorten notes or split the record)", "error", draft.record_id)]
    return [Problem(path, 1, 1, f, msg.removeprefix(f"{f}: "), "error", draft.record_id)
            for f, msg in values.document_problems(draft.doc)]


def _target(draft: Draft) -> str:
    return f"installations/{draft.path.name}" if draft.kind == "installation" else draft.path.name


def _validate(draft: Draft, text: str) -> list[Problem]:
    limits = _limit_problems(draft, text)
    if limits:
        return limits
    roundtrip = _roundtrip_problems(draft, text)
    before, after = _cli_problems(draft.data_dir, _target(draft), text)
    mine = str(draft.path)
    known = set(before)
    found = [p for p in after if p.path == mine or p not in known]  # this file, and what it breaks elsewhere
    reported = {p.field for p in found if p.path == mine and p.severity == "error"}
    roundtrip = [p for p in roundtrip if p.field not in reported]  # e.g. a tag the loader already refused
    return sorted(roundtrip + found, key=lambda p: (p.path != mine, p.path, p.line, p.column))


def validate_draft(draft: Draft) -> list[Problem]:
    """Every problem ``python -m garrison validate`` would report for the edited file, plus any new
    problem it causes in other files (an uncited source, a route node gone). Writes nothing."""
    return _validate(draft, draft.render())
