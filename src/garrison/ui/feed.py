"""The event feed's panel: the changes around the map's date under the sidebar's filters, newest
first; each item a button that moves the map's date to the change and opens the installation. The
items are garrison.feed's; their words here are the reader's (an English page reads as
garrison.feed.what_changed writes it)."""

from __future__ import annotations

import streamlit as st

from ..compare import APPEARED, ASPECTS, ENDED, Change
from ..dataset import Dataset
from ..dates import to_day
from ..feed import feed_items
from ..i18n import Messages
from ..render.mapstate import filter_masks
from . import reader
from .compare import aspect_text, state
from .panels import md_escape
from .permalink import View
from .session import open_change
from .words import current


def what_changed(ds: Dataset, change: Change, m: Messages) -> str:
    """One line: "Operator: Russia → United States · Status: active → seized"; a record that
    appeared or ended: "Appeared: Israel, seized" / "Record ended: Russia, abandoned"."""
    heads = {"operator": m.pgettext("feed", "Operator"), "status": m.pgettext("feed", "Status"),
             "territory": m.pgettext("feed", "Territory")}
    for kind, row, label in ((APPEARED, change.after, m.pgettext("feed", "Appeared")),
                             (ENDED, change.before, m.pgettext("feed", "Record ended"))):
        if kind in change.kinds:
            held = reader.join((v for v in (state(ds, a, row, m) for a in ("operator", "status")) if v), m)
            terr = state(ds, "territory", row, m)
            text = m.gettext("{what}: {state}").format(what=label, state=held)
            return text + (" " + m.gettext("(territory {name})").format(name=terr) if terr else "")
    return " · ".join(m.gettext("{what}: {state}").format(what=heads[a], state=aspect_text(ds, change, a, m))
                      for a in ASPECTS if f"changed {a}" in change.kinds)


def feed_panel(ds: Dataset, view: View, hits: list[str] | None) -> None:
    """The feed, under its heading; the map's date shown as a line between later and earlier items."""
    m = current()
    _ = m.gettext
    st.subheader(_("What changed"))
    items = feed_items(ds, to_day(view.date), *filter_masks(ds, view, hits))
    if not items:
        st.caption(_("No change in the data under these filters."))
        return
    marked = False
    for k, item in enumerate(items):
        c = item.change
        if not item.later and not marked:
            st.caption("▼ " + _("up to {date}, the map's date").format(date=reader.day(view.date, m)))
            marked = True
        current_item = c.inst_id == view.select and item.iso == view.date.isoformat()
        name = reader.plain(reader.installation(ds, c.inst_id, m), m)
        sources = "; ".join(f"{ds.sources[s].title} — {ds.sources[s].publisher}" for s in c.sources if s in ds.sources)
        st.button(f"{md_escape(reader.written(c.date, m))} · {md_escape(name)}", key=f"feed-{k}-{c.inst_id}-{c.day}",
                  on_click=open_change, args=(item.iso, c.inst_id), type="primary" if current_item else "secondary",
                  help=md_escape(_("Show the map at {date} with {name} open. Sources: {sources}").format(
                      date=reader.written(item.iso, m), name=name, sources=sources)),
                  width="stretch")
        st.caption(md_escape(what_changed(ds, c, m)) + "  \n" + md_escape(_("Sources: {publishers}").format(
            publishers=reader.join(item.publishers, m) or _("none given"))))
    if not marked:
        st.caption("▲ " + _("after {date}, the map's date").format(date=reader.day(view.date, m)))
