"""The event feed's panel: the changes around the map's date under the sidebar's filters, newest
first; each item a button that moves the map's date to the change and opens the installation. The
items are garrison.feed's."""

from __future__ import annotations

import streamlit as st

from ..dataset import Dataset
from ..dates import to_day
from ..feed import feed_items, what_changed
from ..render.mapstate import filter_masks
from .panels import md_escape
from .permalink import View
from .session import open_change


def feed_panel(ds: Dataset, view: View, hits: list[str] | None) -> None:
    """The feed, under its heading; the map's date shown as a line between later and earlier items."""
    st.subheader("What changed")
    items = feed_items(ds, to_day(view.date), *filter_masks(ds, view, hits))
    if not items:
        st.caption("No change in the data under these filters.")
        return
    marked = False
    for k, item in enumerate(items):
        c = item.change
        if not item.later and not marked:
            st.caption(f"▼ up to {view.date}, the map's date")
            marked = True
        current = c.inst_id == view.select and item.iso == view.date.isoformat()
        sources = "; ".join(f"{ds.sources[s].title} — {ds.sources[s].publisher}" for s in c.sources if s in ds.sources)
        st.button(f"{md_escape(c.date)} · {md_escape(c.name)}", key=f"feed-{k}-{c.inst_id}-{c.day}",
                  on_click=open_change, args=(item.iso, c.inst_id), type="primary" if current else "secondary",
                  help=f"Show the map at {item.iso} with {md_escape(c.name)} open. Sources: {md_escape(sources)}",
                  width="stretch")
        st.caption(f"{md_escape(what_changed(c))}  \nSources: {md_escape(', '.join(item.publishers) or 'none given')}")
    if not marked:
        st.caption(f"▲ after {view.date}, the map's date")
