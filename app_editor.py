"""The in-app editor (Streamlit widgets only; the logic lives in garrison.edit).

Shown only when edit mode is unlocked (see garrison.edit.mode). Every save goes through
garrison.edit.save: the CLI's validation first, then an atomic write that refuses to overwrite
a file changed since the form loaded it.
"""

from __future__ import annotations

import copy
import json
import math
import re
import secrets

import pandas as pd
import streamlit as st

from garrison.dataset import Dataset
from garrison.edit import (
    Conflict,
    EditError,
    ValidationFailed,
    add_source,
    delete,
    new_installation,
    open_for_edit,
    open_sources,
    rebase,
    replace_history,
    retire,
    save,
    set_fields,
    validate_draft,
)
from garrison.ui.panels import md_escape
from garrison.ui.words import _, current, ngettext
from garrison.vocab import CONFIDENCES, KINDS, STATUSES

NEW = "__new__"
PERIOD_COLUMNS = ["from", "to", "operator", "status", "territory", "confidence", "sources", "note"]
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
CLAIMS_COLUMN = "claims (kept)"


def _writes(name: str) -> str:
    """The key of a widget that writes, carrying this session's write token.

    Streamlit derives a widget's id from its key, so a save recorded in one session (or crafted
    from a recording) names widgets that no other session has, and writes nothing there.
    """
    token = st.session_state.setdefault("ed_write_token", secrets.token_urlsafe(12))
    return f"{name}::{token}"


def _draft(data_dir: str, inst_id: str):
    """The draft this session edits; opened from disk once, kept until saved or reloaded."""
    key = f"ed_draft::{inst_id}"
    if key not in st.session_state:
        st.session_state[key] = open_for_edit(data_dir, inst_id)
    return st.session_state[key]


def _forget(inst_id: str) -> None:
    st.session_state.pop(f"ed_draft::{inst_id}", None)


def _cell(value):
    """A table cell as a plain value (NaN, numpy scalars and arrays from the editor become Python)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def _rows(frame: pd.DataFrame) -> list[dict]:
    """The grid's rows as periods; each row's claims come back from the hidden column they rode in."""
    out = []
    for row in frame.to_dict("records"):
        period = {k: _cell(v) for k, v in row.items() if k in PERIOD_COLUMNS}
        claims = row.get(CLAIMS_COLUMN)
        if isinstance(claims, str) and claims.strip():
            period["claims"] = json.loads(claims)
        out.append(period)
    return out


def _history_table(ds: Dataset, rows: list[dict], key: str) -> pd.DataFrame:
    frame = pd.DataFrame([{c: r.get(c) for c in PERIOD_COLUMNS} for r in rows], columns=PERIOD_COLUMNS)
    # a period's claims are not edited in the grid, but must survive it: they ride along, hidden, as JSON
    frame[CLAIMS_COLUMN] = pd.Series([json.dumps(r["claims"], ensure_ascii=False) if r.get("claims") else ""
                                      for r in rows], dtype=object)
    # object dtype even with no rows: a MultiselectColumn refuses the float column pandas would infer
    frame["sources"] = pd.Series([list(x) if isinstance(x, list) else [] for x in frame["sources"]], dtype=object)
    actors = list(ds.actors)
    return st.data_editor(
        frame, key=key, num_rows="dynamic", hide_index=True, width="stretch",
        column_config={
            "from": st.column_config.TextColumn("from", required=True, validate=DATE_PATTERN,
                                                help="'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'"),
            "to": st.column_config.TextColumn("to", validate=DATE_PATTERN, help=_("only where a gap follows")),
            "operator": st.column_config.SelectboxColumn("operator", options=actors, required=True),
            "status": st.column_config.SelectboxColumn("status", options=list(STATUSES), required=True),
            "territory": st.column_config.SelectboxColumn("territory", options=actors),
            "confidence": st.column_config.SelectboxColumn("confidence", options=list(CONFIDENCES), required=True),
            "sources": st.column_config.MultiselectColumn("sources", options=list(ds.sources)),
            "note": st.column_config.TextColumn("note", max_chars=2000),
            CLAIMS_COLUMN: None,  # hidden
        },
    )


def _show_problems(problems, slots: dict | None = None) -> None:
    """Every problem with its file:line:column; each also beside its field where the form has a slot."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        st.error(ngettext("Not saved: {n} error. Nothing was written.", "Not saved: {n} errors. Nothing was written.", len(errors)))
    beside: dict[str, list[str]] = {}
    for p in problems:
        (st.error if p.severity == "error" else st.warning)(md_escape(f"{p.field or '(file)'}: {p.message}\n{p.path}:{p.line}:{p.column}"))
        head = re.split(r"[\[.]", p.field or "")[0]
        if slots and head in slots and p.severity == "error":
            beside.setdefault(head, []).append(f"{p.field}: {p.message}" if p.field != head else p.message)
    for head, msgs in beside.items():
        slots[head].error(md_escape("\n".join(msgs)))


def _save(draft, what: str, slots: dict | None = None) -> bool:
    """Save a draft and report the outcome; True when written."""
    try:
        result = save(draft, draft.digest)
    except ValidationFailed as exc:
        _show_problems(exc.problems, slots)
        return False
    except Conflict as exc:
        st.session_state["ed_conflict"] = {"id": draft.record_id, "message": str(exc), "diff": exc.diff,
                                           "mine": exc.draft_text, "draft": draft, "what": what}
        st.rerun()  # the conflict panel sits above the form: show it now
    except EditError as exc:
        st.error(md_escape(exc))
        return False
    st.session_state["data_changed"] = True  # the next run reloads the data (only this file is re-parsed)
    st.session_state["ed_flash"] = (_("Saved {what}: ").format(what=what) + ("; ".join(result.changes[:5]) or _("no change"))
                                    + (f" · git: {result.git_error}" if result.git_error else ""))
    return True


def _conflict_panel() -> None:
    info = st.session_state.get("ed_conflict")
    if not info:
        return
    st.error(md_escape(info["message"]))
    st.caption(_("What changed on disk since your form loaded it:"))
    st.code(info["diff"] or _("(the file was created or deleted)"), language="diff")
    with st.expander(_("Your version (copy what you need, then reload)")):
        st.code(info["mine"], language="yaml")
    draft = info.get("draft")
    if draft is not None and draft.kind == "installation" and not draft.is_new and \
            st.button(_("Merge: apply my edit onto the version on disk"), key=_writes("ed_merge"), type="primary",
                      help=_("Fields and periods that only you changed take your values; the rest keeps the disk's. "
                             "Refused, with nothing written, where you both changed the same thing differently.")):
        try:
            merged = rebase(draft)
        except EditError as exc:
            st.error(md_escape(exc))
        else:
            st.session_state.pop("ed_conflict", None)
            if _save(merged, f"{info['what']} (merged with the version on disk)"):
                _forget(info["id"])
                st.rerun()
    if st.button(_("Reload from disk (your unsaved edit is dropped)"), key="ed_reload"):
        if info["id"]:
            _forget(info["id"])
        st.session_state.pop("ed_conflict", None)
        st.rerun()


def editor(ds: Dataset, data_dir: str, selected: str | None, clicked: dict | None) -> None:
    """The whole editing section."""
    if flash := st.session_state.pop("ed_flash", None):
        st.success(md_escape(flash))
    _conflict_panel()
    ids = [r.id for r in ds.records]
    default = ids.index(selected) + 1 if selected in ids else 0
    target = st.selectbox(_("Installation to edit"), [NEW, *ids], index=default, key="ed_target",
                          format_func=lambda i: _("+ New installation") if i == NEW else f"{ds.records[ds.index[i]].name} ({i})")
    if target == NEW:
        _new_form(ds, data_dir, clicked)
    else:
        _edit_form(ds, data_dir, target)
    _source_form(data_dir)


def _edit_form(ds: Dataset, data_dir: str, inst_id: str) -> None:
    try:
        draft = _draft(data_dir, inst_id)
    except (ValueError, OSError) as exc:  # EditError, a file that is a link or unreadable
        st.error(md_escape(_("Cannot edit {id}: {error}").format(id=inst_id, error=exc)))
        return
    doc = draft.plain()
    tag = f"{inst_id}::{(draft.digest or 'new')[:10]}"  # new widgets whenever the file on disk is reloaded
    lat0, lon0 = _coordinate(doc.get("lat"), "lat", 90.0), _coordinate(doc.get("lon"), "lon", 180.0)
    with st.form(_writes(f"ed_form::{tag}")):
        c1, c2, c3 = st.columns([3, 2, 1])
        slots = {}  # where a field's errors are shown, beside it, once Check or Save has run
        name = c1.text_input(_("Name"), doc.get("name", ""), max_chars=2000)
        slots["name"] = c1.empty()
        kinds = _choices(KINDS, doc.get("kind"), "kind")
        kind = c2.selectbox(_("Kind"), kinds, index=kinds.index(doc["kind"]) if doc.get("kind") in kinds else None,
                            format_func=current().term_of("kind"))
        slots["kind"] = c2.empty()
        country = c3.text_input(_("Country"), doc.get("country", ""), max_chars=2)
        slots["country"] = c3.empty()
        c4, c5 = st.columns(2)
        lat = c4.number_input("lat", -90.0, 90.0, lat0, format="%.4f")
        slots["lat"] = c4.empty()
        lon = c5.number_input("lon", -180.0, 180.0, lon0, format="%.4f")
        slots["lon"] = c5.empty()
        st.caption(_("History (one row per period; a period lasts until the next begins)"))
        table = _history_table(ds, draft.history_rows(), key=f"ed_hist::{tag}")
        slots["history"] = st.empty()
        check = st.form_submit_button(_("Check"))
        submitted = st.form_submit_button(_("Save"), type="primary")
    if check or submitted:
        _apply(draft, inst_id, check, dict(name=name, kind=kind, country=country.strip().upper(), lat=lat, lon=lon), table, slots)
    _retire_delete(data_dir, inst_id)


def _choices(vocabulary: tuple[str, ...], value, name: str) -> list[str]:
    """The vocabulary, plus a hand-typed value from the file that is not in it (so a save of other
    fields never silently replaces it; validation then names it)."""
    if value is None or value in vocabulary:
        return list(vocabulary)
    st.warning(md_escape(_("{field} in the file is {value}, which is not in the vocabulary; choose one of the list.").format(field=name, value=repr(value))))
    return [str(value), *vocabulary]


def _coordinate(value, name: str, limit: float) -> float:
    """A coordinate for the form; a hand-broken one (text, out of range) is shown as 0 with a warning."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not -limit <= number <= limit:
        st.warning(md_escape(_("{field} in the file is not a valid coordinate ({value}); type the right value.").format(field=name, value=repr(value))))
        return 0.0
    return number


def _apply(session_draft, inst_id: str, check_only: bool, fields: dict, table: pd.DataFrame, slots: dict) -> None:
    """Put the form's values into a copy of the draft, then check it or save it.

    A copy, so that a checked or refused edit never rides along with a later save (a retirement).
    """
    draft = copy.deepcopy(session_draft)
    try:
        set_fields(draft, **fields)
        replace_history(draft, _rows(table))
    except EditError as exc:
        st.error(md_escape(exc))
        return
    if check_only:
        problems = validate_draft(draft)
        _show_problems(problems, slots) if problems else st.success(_("No problems found."))
        st.code(draft.diff() or _("(no change)"), language="diff")
    elif _save(draft, inst_id, slots):
        _forget(inst_id)
        st.rerun()


def _retire_delete(data_dir: str, inst_id: str) -> None:
    with st.expander(_("Retire or delete")):
        st.caption(_("Retiring ends the history with a final period; the record stays. Deleting removes the file."))
        with st.form(_writes(f"ed_retire::{inst_id}")):
            c1, c2 = st.columns(2)
            date = c1.text_input(_("From (date)"), placeholder="2026-11-25")
            status = c2.selectbox(_("Final status"), ["abandoned", "withdrawing"], format_func=current().term_of("status"))
            sources = st.text_input(_("Source ids (comma-separated)"))
            note = st.text_input(_("Note"))
            if st.form_submit_button(_("Retire")):
                draft = copy.deepcopy(_draft(data_dir, inst_id))
                try:
                    retire(draft, date.strip(), [s.strip() for s in sources.split(",") if s.strip()], note or None, status=status)
                except EditError as exc:
                    st.error(md_escape(exc))
                else:
                    if _save(draft, f"{inst_id} (retired)"):
                        _forget(inst_id)
                        st.rerun()
        confirm = st.text_input(_("Type {id} to confirm deletion").format(id=inst_id), key=f"ed_confirm::{inst_id}")
        if st.button(_("Delete file"), key=_writes(f"ed_delete::{inst_id}")):
            try:
                delete(data_dir, inst_id, confirm, expected_digest=_draft(data_dir, inst_id).digest)
            except ValidationFailed as exc:
                _show_problems(exc.problems)
            except (ValueError, OSError) as exc:  # EditError, DiskError, an unreadable file
                st.error(md_escape(exc))
            else:
                _forget(inst_id)
                st.session_state["data_changed"] = True
                st.session_state["ed_flash"] = _("Deleted {id}.").format(id=inst_id)
                st.rerun()


def _new_form(ds: Dataset, data_dir: str, clicked: dict | None) -> None:
    st.caption(_("Click the map to set the position, or type it."))
    lat0, lon0 = (clicked["lat"], (clicked["lng"] + 180) % 360 - 180) if clicked else (0.0, 0.0)
    with st.form(_writes(f"ed_new::{lat0:.5f}:{lon0:.5f}")):
        c1, c2 = st.columns(2)
        inst_id = c1.text_input(_("id (file name: lowercase letters, digits, dashes)"), max_chars=80)
        name = c2.text_input(_("Name"), max_chars=2000)
        c3, c4, c5, c6 = st.columns(4)
        kind = c3.selectbox(_("Kind"), KINDS, format_func=current().term_of("kind"))
        country = c4.text_input(_("Country (ISO alpha-2)"), max_chars=2)
        lat = c5.number_input("lat", -90.0, 90.0, float(lat0), format="%.4f")
        lon = c6.number_input("lon", -180.0, 180.0, float(lon0), format="%.4f")
        table = _history_table(ds, [], key="ed_new_hist")
        if not st.form_submit_button(_("Create"), type="primary"):
            return
    try:
        draft = new_installation(data_dir, inst_id.strip(), name=name, kind=kind, country=country.strip().upper(),
                                 lat=lat, lon=lon, history=_rows(table))
    except (EditError, ValueError) as exc:
        st.error(md_escape(exc))
        return
    if _save(draft, inst_id):
        st.rerun()


def _source_form(data_dir: str) -> None:
    with st.expander(_("Add a source")):
        with st.form(_writes("ed_source"), clear_on_submit=False):
            c1, c2 = st.columns(2)
            sid = c1.text_input("id", max_chars=120)
            publisher = c2.text_input(_("Publisher"), max_chars=2000)
            title = st.text_input(_("Title"), max_chars=2000)
            c3, c4, c5 = st.columns([3, 1, 1])
            url = c3.text_input(_("URL (http or https)"), max_chars=2000)
            date = c4.text_input(_("Date"), placeholder="2024-12-11")
            language = c5.text_input(_("Language"), placeholder="en", max_chars=3)
            if not st.form_submit_button(_("Add source")):
                return
        try:
            draft = open_sources(data_dir)
            add_source(draft, {"id": sid, "title": title, "publisher": publisher, "url": url,
                               "date": date or None, "language": language or None})
        except EditError as exc:
            st.error(md_escape(exc))
            return
        if _save(draft, f"source {sid}"):
            st.rerun()
