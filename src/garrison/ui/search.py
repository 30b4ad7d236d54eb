"""The search box's glue: one index per dataset, the hits of the view's query, Enter opening the
best match, and the message when the search leaves the map empty. The matching is garrison.search."""

from __future__ import annotations

import streamlit as st

from ..basemap.assets import static_path
from ..dataset import Dataset
from ..dates import from_day, to_day
from ..render.mapstate import filter_masks, shown_at
from ..search import Hit, SearchIndex, best_match, fold, load_places, nearest_record_day
from . import reader
from .panels import md_escape
from .session import sync_widget
from .words import current

NO_MATCH = "No installation matches this search."  # the English of its message below
PLACES = "basemap/places.json"  # the basemap's populated places (garrison.basemap.offline), for "near"


def _index(ds: Dataset) -> SearchIndex:
    """The dataset's names and the basemap's places, folded once per dataset: kept on the dataset
    itself (immutable once built; a reload makes a new one), so two datasets never share one."""
    index = ds.__dict__.get("_search_index")
    if index is None:
        index = ds.__dict__["_search_index"] = SearchIndex(ds, load_places(static_path(PLACES)))
    return index


def search_hits(ds: Dataset, query: str) -> list[Hit]:
    """The installations the query finds, best first (garrison.search)."""
    return _index(ds).search(query)


def search_ids(ds: Dataset, query: str) -> list[str]:
    """Ids the query finds, best first; every installation for an empty query."""
    if not query.strip():
        return [r.id for r in ds.records]
    return [h.id for h in search_hits(ds, query)]


def on_search(ds: Dataset) -> None:
    """The search box's callback (Enter, or leaving the box with a changed text): the query into the
    view and the best match opened -- selected, and the date moved to its nearest record when it has
    none at the date shown (a base closed in 2002, searched for at 2026, is shown as it was)."""
    sync_widget("q")
    view = st.session_state.view
    inst_id = best_match(search_hits(ds, view.q)) if view.q.strip() else None
    if inst_id is None:
        return
    view.select = inst_id
    day = nearest_record_day(ds, inst_id, to_day(view.date))
    if day is not None:
        view.date = from_day(day)


def search_notice(ds: Dataset, hits: list[str] | None, where=st) -> None:
    """A prominent message when the search leaves the map empty: nothing matches, or nothing that
    matches is shown at this date with these filters (naming what was found, in the reader's language)."""
    if hits is None:
        return
    view = st.session_state.view
    m = current()
    if not hits:
        where.warning(m.gettext("No installation matches this search.") + " "
                      + m.gettext("Try another spelling or script, or clear the search."), icon="🔎")
        return
    if not len(shown_at(ds, *filter_masks(ds, view, hits), to_day(view.date))):
        names = reader.join((md_escape(reader.plain(reader.installation(ds, h, m), m)) for h in hits[:3]), m)
        where.info(m.ngettext("{n} installation matches, but none is on the map at {date} with these filters: {names}. "
                              "Press Enter in the search box to open it.",
                              "{n} installations match, but none is on the map at {date} with these filters: {names}. "
                              "Press Enter in the search box to open the best match.", len(hits),
                              date=reader.day(view.date, m), names=names + (" …" if len(hits) > 3 else "")),
                   icon="🔎")


__all__ = ["NO_MATCH", "fold", "on_search", "search_hits", "search_ids", "search_notice"]
