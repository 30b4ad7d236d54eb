"""Merging an edit onto the version on disk after a conflict (where nobody else changed the same thing)."""

from __future__ import annotations

from typing import Any

from .draft import Draft, _load_doc, open_for_edit
from .edits import EDITABLE, replace_history, set_fields
from .errors import EditError
from .values import to_plain


def rebase(draft: Draft) -> Draft:
    """The edit in ``draft`` re-applied onto the version of its file now on disk (a three-way merge).

    What the form loaded is the base. A field (name, names, kind, country, lat, lon) or a history
    period that only the form changed takes the form's value; one that only the file on disk
    changed keeps the disk's; one that both changed the same way is fine. One that both changed
    differently is a clash: ``EditError`` names every clash and nothing is merged. Added or removed
    periods merge when only one side changed the history's length. Returns a new draft of the
    disk version with the edit applied; save it with its own ``digest``.
    """
    draft._need("installation")
    if draft.loaded_text is None:
        raise EditError("a new installation has no earlier version to merge with")
    base = to_plain(_load_doc(draft.loaded_text, draft.path)) or {}
    mine = to_plain(draft.doc) or {}
    fresh = open_for_edit(draft.data_dir, draft.record_id)
    theirs = fresh.plain() or {}
    clashes: list[str] = []
    fields: dict[str, Any] = {}
    for key in EDITABLE:
        b, m, t = base.get(key), mine.get(key), theirs.get(key)
        if m == b:
            continue
        if t != b and t != m:
            clashes.append(key)
        else:
            fields[key] = m
    rows = _merge_history(base.get("history") or [], mine.get("history") or [], theirs.get("history") or [], clashes)
    if clashes:
        raise EditError(f"not merged: both you and the file on disk changed {', '.join(clashes)} differently; "
                        "reload, then make your edit again")
    if fields:
        set_fields(fresh, fields)
    if rows is not None:
        replace_history(fresh, rows)
    return fresh


def _merge_history(base: list, mine: list, theirs: list, clashes: list[str]) -> list | None:
    """The merged periods, or None when the form did not change the history."""
    if mine == base:
        return None
    if theirs == base or theirs == mine:
        return mine
    if not (len(base) == len(mine) == len(theirs)):
        clashes.append("history (both added or removed periods)")
        return None
    out = []
    for i, (b, m, t) in enumerate(zip(base, mine, theirs, strict=True)):
        if m != b and t != b and t != m:
            clashes.append(f"history[{i}]")
        out.append(m if m != b else t)
    return out
