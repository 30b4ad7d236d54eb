"""The page's view state in a Streamlit session: one `View` (garrison.ui.permalink) under
`st.session_state["view"]`, taken from the URL once, changed by the widgets' and the map's
callbacks, and written back to the URL at the end of each run.

The sidebar's widgets are keyed with the URL parameter's own name (`op`, `country`, `kind`,
`status`, `q`, `basemap`, `lang`); their callbacks copy the widget's value into the view.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import streamlit as st

from ..dataset import Dataset
from ..i18n import DEFAULT, accept_language, negotiate
from .permalink import LIST_KEYS, View, parse_view, to_params

MAP_KEY = "map"


def view_of_session(ds: Dataset) -> View:
    """The session's view: from the URL on its first run, clamped to the data's span."""
    first, last = ds.span()
    view = st.session_state.get("view")
    if view is None:
        view = parse_view(st.query_params.to_dict(), ds)
        view.date = min(max(view.date or last, first), last)
        if view.compare is not None:
            view.compare = min(max(view.compare, first), last)
        st.session_state.view = view
        for key in LIST_KEYS:  # the widgets start from the link
            st.session_state[key] = list(view.filters[key])
        st.session_state.q, st.session_state.basemap = view.q, view.basemap
        st.session_state.lang = language(view)
        st.session_state.compare_on = view.compare is not None
        st.session_state.compare = view.compare or _year_before(view.date, first)
    if view.compare is not None:  # e.g. a year before a date near the data's start
        view.compare = min(max(view.compare, first), last)
    if view.select is not None and view.select not in ds.index:
        view.select = None  # deleted or renamed since
    view.date = min(max(view.date, first), last)
    return view


def _year_before(day: dt.date, first: dt.date) -> dt.date:
    try:
        back = day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        back = day.replace(year=day.year - 1, day=28)
    return max(back, first)


def _view() -> View:
    return st.session_state.view


def sync_widget(key: str) -> None:
    """A sidebar widget's callback: its value into the view."""
    value = st.session_state[key]
    view = _view()
    if key in LIST_KEYS:
        view.filters[key] = list(value)
    elif key == "q":
        view.q = value
    elif key == "basemap":
        view.basemap = value
    elif key == "lang":
        view.lang = value
    elif key == "compare_on":
        # Turned on: a year before the date shown now -- a span the reader can predict, long
        # enough to hold a story (the previous change alone is often one row). The picker starts
        # there too (its old value, from when the page opened, is dropped).
        view.compare = _year_before(view.date, dt.date.min) if st.session_state.compare_on else None
        st.session_state.pop("compare", None)
    elif key == "compare":
        view.compare = st.session_state.get("compare") or _year_before(view.date, dt.date.min)


def sync_map() -> None:
    """The map's callback: the browser's date, view, selection or position into the view."""
    events = st.session_state.get(MAP_KEY) or {}
    view = _view()
    if events.get("date"):
        view.date = dt.date.fromisoformat(events["date"])
    if events.get("view"):
        v = events["view"]
        view.lat, view.lon, view.zoom = float(v["lat"]), float(v["lon"]), int(v["zoom"])
    if events.get("select"):
        view.select = events["select"]
    if events.get("place"):
        st.session_state.ed_click = dict(events["place"])


def language(view: View) -> str:
    """The interface language: the link's or the menu's choice, else the browser's preferences."""
    if view.lang:
        return view.lang
    context = getattr(st, "context", None)
    preferred = [getattr(context, "locale", None) or ""] if context is not None else []
    headers = getattr(context, "headers", None) or {}
    preferred += accept_language(headers.get("Accept-Language"))
    return negotiate(p for p in preferred if p) if preferred else DEFAULT


def select(inst_id: str | None) -> None:
    _view().select = inst_id


def write_url(view: View) -> None:
    """The view into the address bar (the permalink), when it changed."""
    params = to_params(view)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def snapshot(view: View) -> View:
    """A copy (what this run shows, whatever a callback does to the session's view meanwhile)."""
    return dataclasses.replace(view, filters={k: list(v) for k, v in view.filters.items()})


def open_change(iso_date: str, inst_id: str) -> None:
    """An event feed item's callback: the map's date to the change, its installation selected."""
    view = _view()
    view.date, view.select = dt.date.fromisoformat(iso_date), inst_id
