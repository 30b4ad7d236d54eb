"""The compare panel: what changed between the compare date and the map's date, under the
sidebar's filters -- a heading that counts the kinds of change, the table (one column per aspect,
before → after) and its CSV. The changes are garrison.compare's; their words here are the
reader's (an English page reads exactly as garrison.compare writes it)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from ..compare import APPEARED, ARROW, ASPECTS, ENDED, Change, compare_changes, compare_csv, count_kinds
from ..dataset import Dataset
from ..i18n import Messages
from ..render.mapstate import filter_masks
from ..vocab import STATUSES
from . import reader
from .panels import md_escape
from .permalink import View
from .words import current


def state(ds: Dataset, aspect: str, row: int, m: Messages) -> str | None:
    """A period row's operator or territory (the actor's short name, or its name in the reader's
    language) or its status, in the reader's words; None: no record or no value."""
    pt = ds.periods
    if row < 0:
        return None
    if aspect == "status":
        return m.term("status", STATUSES[pt.status[row]])
    actor_id = pt.actor(int((pt.operator if aspect == "operator" else pt.territory)[row]))
    return None if actor_id is None else reader.plain(reader.actor(ds, actor_id, m, short=True), m)


def aspect_text(ds: Dataset, c: Change, aspect: str, m: Messages) -> str:
    """"before → after" for an aspect that changed (— for no value), else its one value (garrison.compare)."""
    b, a = state(ds, aspect, c.before, m), state(ds, aspect, c.after, m)
    if b == a and c.before >= 0 and c.after >= 0:
        return a or ""
    return f"{b or '—'}{ARROW}{a or '—'}"


def kind_label(kind: str, m: Messages) -> str:
    """A kind of change in words: "changed operator", "appeared" ... (garrison.compare's kinds)."""
    labels = {APPEARED: m.pgettext("change", "appeared"), ENDED: m.pgettext("change", "record ended"),
              "changed operator": m.pgettext("change", "changed operator"),
              "changed status": m.pgettext("change", "changed status"),
              "changed territory": m.pgettext("change", "changed territory")}
    return labels.get(kind, kind)


def kind_count(kind: str, n: int, m: Messages) -> str:
    """"3 changed operator": the heading's count of one kind, in the language's plural forms."""
    forms = {APPEARED: m.ngettext("{n} appeared", "{n} appeared", n),
             ENDED: m.ngettext("{n} record ended", "{n} records ended", n),
             "changed operator": m.ngettext("{n} changed operator", "{n} changed operator", n),
             "changed status": m.ngettext("{n} changed status", "{n} changed status", n),
             "changed territory": m.ngettext("{n} changed territory", "{n} changed territory", n)}
    return forms.get(kind, f"{n} {kind}")


def heading(changes: list[Change], d1: dt.date, d2: dt.date, m: Messages) -> str:
    """"From 2020-01-01 to 2024-12-10: 2 changed status, 1 appeared" -- or "... nothing changed"."""
    counts = reader.join((kind_count(k, n, m) for k, n in count_kinds(changes)), m) or m.gettext("nothing changed")
    return m.gettext("From {start} to {end}: {counts}").format(start=reader.day(d1, m), end=reader.day(d2, m), counts=counts)


def columns(m: Messages) -> dict[str, str]:
    """The table's columns (garrison.compare.TABLE_COLUMNS) in the reader's words; operator and
    territory as the glossary's roles."""
    return {"Installation": m.pgettext("compare table", "Installation"),
            "What changed": m.pgettext("compare table", "What changed"),
            "Operator": m.pgettext("compare table", "Operator"), "Status": m.pgettext("compare table", "Status"),
            "Territory": m.pgettext("compare table", "Territory"), "Since": m.pgettext("compare table", "Since")}


def rows(ds: Dataset, changes: list[Change], m: Messages) -> list[dict]:
    """The compare table in the reader's words: one row per installation, one column per aspect."""
    head = columns(m)
    return [{head["Installation"]: reader.plain(reader.installation(ds, c.inst_id, m), m),
             head["What changed"]: reader.join((kind_label(k, m) for k in c.kinds), m),
             **{head[a.capitalize()]: aspect_text(ds, c, a, m) for a in ASPECTS},
             head["Since"]: reader.written(c.date, m)} for c in changes]


def compare_panel(ds: Dataset, view: View, hits: list[str] | None) -> None:
    """The panel for a view with a compare date (nothing otherwise)."""
    if view.compare is None:
        return
    m = current()
    d1, d2 = sorted([view.compare, view.date])
    changes = compare_changes(ds, d1, d2, *filter_masks(ds, view, hits))
    filtered = any(view.filters.values()) or hits is not None
    st.subheader(heading(changes, d1, d2, m))
    if changes:
        frame = pd.DataFrame(rows(ds, changes, m), columns=list(columns(m).values())).map(md_escape)  # st.table reads Markdown
        st.table(frame, hide_index=True)
    differ = (m.ngettext("{n} installation differs among those the filters keep", "{n} installations differ among those the filters keep",
                         len(changes)) if filtered else
              m.ngettext("{n} installation differs", "{n} installations differ", len(changes)))
    st.caption(m.gettext("{differ}; highlighted on the map. “Since”: when the later state began, as precisely as the sources "
                         "date it.").format(differ=differ))
    # the file keeps the data's own words and names (English), as the CLI's export does
    st.download_button(m.gettext("Download this table (CSV)"), compare_csv(ds, changes), file_name=csv_name(d1, d2),
                       mime="text/csv", key="compare_csv", icon=":material/download:")


def csv_name(d1: dt.date, d2: dt.date) -> str:
    return f"garrison-changes-{d1}-to-{d2}.csv"
