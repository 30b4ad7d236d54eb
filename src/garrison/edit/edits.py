"""Edits to a draft's document: fields, the history table, retiring, new installations, sources."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from . import values
from .draft import Draft, _need_data_dir
from .errors import EditError
from .paths import check_id, installation_path
from .values import flow_list, is_blank, to_plain

#: top-level keys of an installation, in the order the template and the data files use
TOP_KEYS = ("id", "name", "names", "aliases", "kind", "country", "lat", "lon", "position", "position_km", "checked",
            "footprint", "ranges", "history")
EDITABLE = ("name", "names", "kind", "country", "lat", "lon")
PERIOD_KEYS = ("from", "to", "operator", "status", "territory", "confidence", "sources", "note", "claims")
CLAIM_KEYS = ("operator", "status", "territory", "sources", "note")
SOURCE_KEYS = ("id", "title", "publisher", "date", "url", "via", "revision", "language", "archive", "note")
RETIRE_STATUSES = ("abandoned", "withdrawing")
SCHEMA_COMMENT = "yaml-language-server: $schema=../schema/installation.schema.json"


def _set_key(cm: CommentedMap, key: str, value: Any, order: tuple[str, ...]) -> None:
    """Set ``key`` keeping its comment; a new key goes to its place in ``order``."""
    if key in cm:
        if not _same(cm[key], value):
            if isinstance(cm[key], CommentedSeq) and isinstance(value, list):
                cm[key][:] = value  # keeps the list's style (flow) and its comments
            else:
                cm[key] = value
        return
    rank = order.index(key) if key in order else len(order)
    pos = len(cm)
    for i, k in enumerate(cm):
        if (order.index(k) if k in order else len(order)) > rank:
            pos = i
            break
    cm.insert(pos, key, value)


def _same(old: Any, new: Any) -> bool:
    a, b = to_plain(old), to_plain(new)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return a == b  # 35 and 35.0: leave the file's spelling alone
    return type(a) is type(b) and a == b


def set_fields(draft: Draft, changes: Mapping[str, Any] | None = None, **more: Any) -> None:
    """Set top-level fields of an installation: name, names, kind, country, lat, lon.

    Text is checked (``EditError`` for control characters or over 2,000 characters); ``names``
    is a mapping of language code to name, updated in place (None or {} removes it).
    """
    draft._need("installation")
    updates = {**(changes or {}), **more}
    for key in updates:
        if key == "id":
            raise EditError("id cannot be changed: create a new installation and retire or delete this one")
        if key not in EDITABLE:
            raise EditError(f"{key!r} is not a field the form can set (allowed: {', '.join(EDITABLE)})")
    prepared: dict[str, Any] = {}
    for key, value in updates.items():
        if key in ("lat", "lon"):
            prepared[key] = values.number(value, key)
        elif key == "names":
            prepared[key] = _names(value)
        else:
            prepared[key] = values.text(value.strip() if isinstance(value, str) else value, key, multiline=False)
    doc = draft.doc
    for key, value in prepared.items():
        if key == "names":
            if not value:
                doc.pop("names", None)
            elif isinstance(doc.get("names"), CommentedMap):
                cm = doc["names"]
                for lang in [k for k in cm if k not in value]:
                    del cm[lang]
                for lang, name in value.items():
                    _set_key(cm, lang, name, ())
            else:
                _set_key(doc, "names", CommentedMap(value), TOP_KEYS)
        else:
            _set_key(doc, key, value, TOP_KEYS)


def _names(value: Any) -> dict[str, str]:
    if is_blank(value) or value == {}:
        return {}
    if not isinstance(value, Mapping):
        raise EditError(f"names: expected language code -> name pairs, got {type(value).__name__}")
    out = {}
    for lang, name in value.items():
        lang = values.clean_text(lang, "names (language code)", multiline=False).strip()
        if is_blank(name):
            continue
        out[lang] = values.text(name.strip() if isinstance(name, str) else name, f"names.{lang}", multiline=False)
    return out


def _period_values(row: Any, where: str) -> dict[str, Any]:
    """A table row checked and converted, keys in PERIOD_KEYS order, blank cells dropped."""
    if not isinstance(row, Mapping):
        raise EditError(f"{where}: expected a row of fields, got {type(row).__name__}")
    unknown = [k for k in row if k not in PERIOD_KEYS]
    if unknown:
        raise EditError(f"{where}: unknown column {unknown[0]!r} (allowed: {', '.join(PERIOD_KEYS)})")
    out: dict[str, Any] = {}
    for key in PERIOD_KEYS:
        value = row.get(key)
        if key == "sources":
            out[key] = values.id_list(value, f"{where}.sources")
            continue
        if is_blank(value) or (key == "claims" and not len(value)):
            continue
        if key == "claims":
            out[key] = _claims(value, f"{where}.claims")
        elif key in ("from", "to"):
            out[key] = values.date_text(value, f"{where}.{key}")
        else:
            out[key] = values.text(value.strip() if key != "note" and isinstance(value, str) else value, f"{where}.{key}")
    return out


def _claims(value: Any, where: str) -> list[dict[str, Any]]:
    """A period's claims (as the file holds them) checked and converted, keys in CLAIM_KEYS order."""
    if hasattr(value, "tolist") and not isinstance(value, str):  # a numpy array from a data frame cell
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or not all(isinstance(c, Mapping) for c in value):
        raise EditError(f"{where}: expected a list of claims (operator/status/territory, sources, note)")
    out = []
    for j, claim in enumerate(value):
        unknown = [k for k in claim if k not in CLAIM_KEYS]
        if unknown:
            raise EditError(f"{where}[{j}]: unknown field {unknown[0]!r} (allowed: {', '.join(CLAIM_KEYS)})")
        vals: dict[str, Any] = {}
        for key in CLAIM_KEYS:
            item = claim.get(key)
            if key == "sources":
                vals[key] = values.id_list(item, f"{where}[{j}].sources")
            elif not is_blank(item):
                vals[key] = values.text(item.strip() if key != "note" and isinstance(item, str) else item, f"{where}[{j}].{key}")
        out.append(vals)
    return out


def _claims_seq(claims: list[dict[str, Any]]) -> CommentedSeq:
    """Claims as the data files write them: one mapping each, sources inline."""
    return CommentedSeq([CommentedMap((k, flow_list(v) if k == "sources" else v) for k, v in c.items()) for c in claims])


def _period_map(vals: dict[str, Any]) -> CommentedMap:
    cm = CommentedMap()
    for key in PERIOD_KEYS:
        if key in vals:
            cm[key] = flow_list(vals[key]) if key == "sources" else _claims_seq(vals[key]) if key == "claims" else vals[key]
    return cm


def _update_period(cm: CommentedMap, vals: dict[str, Any]) -> None:
    for key in [k for k in cm if k not in vals]:
        del cm[key]
    for key, value in vals.items():
        if key == "sources" and key not in cm:
            value = flow_list(value)
        if key == "claims" and not _same(cm.get(key), value):
            value = _claims_seq(value)
        _set_key(cm, key, value, PERIOD_KEYS)


def _period_key(p: Mapping) -> tuple:
    return tuple((k, repr(v) if isinstance(v, list) else v) for k, v in sorted(to_plain(p).items()))


def _revision(value: Any, where: str) -> int:
    """A Wikipedia revision id (oldid): a positive whole number, from a number or its digits."""
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) < 1:
        raise EditError(f"{where}: a revision is a positive whole number (the article's oldid), not {value!r}")
    return int(text)


def replace_history(draft: Draft, rows: list[Mapping[str, Any]]) -> None:
    """Replace the history with ``rows`` (plain dicts, as a table editor produces).

    Unchanged periods keep their map, comments and quoting; a changed period is updated in
    place, field by field; only added or removed periods are created or dropped.
    """
    draft._need("installation")
    if isinstance(rows, (str, bytes)) or not hasattr(rows, "__iter__"):
        raise EditError("history: expected a list of periods")
    new = [_period_values(r, f"history[{i}]") for i, r in enumerate(rows)]
    seq = draft.doc.get("history")
    if not isinstance(seq, CommentedSeq):
        seq = CommentedSeq()
        _set_key(draft.doc, "history", seq, TOP_KEYS)
    old_keys = [_period_key(p) if isinstance(p, Mapping) else ("?", id(p)) for p in seq]
    new_keys = [_period_key(v) for v in new]
    ops = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in reversed(ops):  # from the end, so earlier indices stay valid
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            if isinstance(seq[i1 + k], CommentedMap):
                _update_period(seq[i1 + k], new[j1 + k])
            else:
                seq[i1 + k] = _period_map(new[j1 + k])
        for i in reversed(range(i1 + paired, i2)):
            del seq[i]
        for k, j in enumerate(range(j1 + paired, j2)):
            seq.insert(i1 + paired + k, _period_map(new[j]))


def retire(draft: Draft, date: str, sources: list[str] | str, note: str | None = None,
           status: str = "abandoned", confidence: str = "reported") -> None:
    """Append a final period (``abandoned`` or ``withdrawing``) instead of deleting the record.

    Operator and territory carry over from the last period; the date must come after it (the
    validation on save says so otherwise).
    """
    draft._need("installation")
    if status not in RETIRE_STATUSES:
        raise EditError(f"status {status!r}: retiring uses one of {', '.join(RETIRE_STATUSES)}")
    history = draft.doc.get("history")
    if not isinstance(history, CommentedSeq) or not history or not isinstance(history[-1], Mapping):
        raise EditError("there is no history to retire")
    last = history[-1]
    if last.get("status") == status:
        raise EditError(f"the last period is already {status}")
    row = {"from": date, "operator": last.get("operator"), "status": status, "territory": last.get("territory"),
           "confidence": confidence, "sources": sources, "note": note}
    vals = _period_values(row, f"history[{len(history)}]")
    history.append(_period_map(vals))


def new_installation(data_dir: str | os.PathLike, inst_id: str, *, name: str, kind: str, country: str,
                     lat: Any, lon: Any, history: list[Mapping[str, Any]], names: Mapping | None = None) -> Draft:
    """A draft for a new ``installations/<inst_id>.yaml`` in the template's layout (saved with
    ``save(draft, None)``: it must not exist yet)."""
    path = installation_path(data_dir, inst_id)
    _need_data_dir(data_dir)
    if path.exists():
        raise EditError(f"installation {inst_id!r} already exists; open it to edit it")
    doc = CommentedMap()
    doc.yaml_set_start_comment(SCHEMA_COMMENT)
    doc["id"] = inst_id
    draft = Draft(Path(data_dir), "installation", inst_id, path, None, None, doc)
    set_fields(draft, name=name, kind=kind, country=country, lat=lat, lon=lon, names=names or {})
    replace_history(draft, history)
    return draft


def add_source(draft: Draft, source: Mapping[str, Any]) -> None:
    """Append a source (id, title, publisher, url; optional date, via, revision, language, archive, note)."""
    draft._need("sources")
    unknown = [k for k in source if k not in SOURCE_KEYS]
    if unknown:
        raise EditError(f"source: unknown field {unknown[0]!r} (allowed: {', '.join(SOURCE_KEYS)})")
    sid = source.get("id")
    try:
        check_id(sid.strip() if isinstance(sid, str) else sid, "source id", 120)
    except ValueError as exc:
        raise EditError(str(exc)) from None
    sid = sid.strip()
    if any(isinstance(s, Mapping) and s.get("id") == sid for s in draft.doc):
        raise EditError(f"source id {sid!r} already exists in sources.yaml")
    where = f"[{len(draft.doc)}]"
    cm = CommentedMap()
    for key in SOURCE_KEYS:
        value = sid if key == "id" else source.get(key)
        if is_blank(value):
            continue
        if key == "date":
            cm[key] = values.date_text(value, f"{where}.date")
        elif key == "revision":
            cm[key] = _revision(value, f"{where}.revision")
        else:
            cm[key] = values.text(value.strip() if key != "note" else value, f"{where}.{key}")
    draft.doc.append(cm)
