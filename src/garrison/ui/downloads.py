"""The page's downloads: the files of what the map shows (its date and the sidebar's filters),
the same files as `garrison export --format F [--date D] [--op ..]` writes (export.export_text,
with the filters decided as for the map: render/mapstate.py `kept_rows`).

The files are built only when a button is clicked (Streamlit's deferred download data), so a
slider step costs nothing here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import numpy as np
import streamlit as st

from .. import export
from ..dataset import Dataset
from ..render.mapstate import filter_masks, kept_rows
from . import reader
from .permalink import View
from .words import current

#: format -> (label, file extension, MIME type); the labels are the formats' own names, the same in every language
FORMATS = {"geojson": ("GeoJSON", "geojson", "application/geo+json"),
           "csv": ("CSV", "csv", "text/csv"),
           "kml": ("KML", "kml", "application/vnd.google-earth.kml+xml")}


def file_name(fmt: str, date: dt.date | None, filtered: bool) -> str:
    when = date.isoformat() if date else "history"
    return f"garrison-{when}{'-filtered' if filtered else ''}.{FORMATS[fmt][1]}"


def _deferred(ds: Dataset, fmt: str, date: dt.date | None, keep: np.ndarray | None) -> Callable[[], bytes]:
    return lambda: export.export_text(ds, fmt, date, keep).encode("utf-8")


def download_buttons(ds: Dataset, view: View, search_ids: Iterable[str] | None) -> None:
    """Buttons for GeoJSON, CSV and KML at the view's date and of the full history, filtered as the map is."""
    keep = kept_rows(ds, *filter_masks(ds, view, search_ids))
    date = view.date or ds.span()[1]
    m = current()
    for when in (date, None):
        if when is None:
            label = m.gettext("Full history (filtered as the map is)") if keep is not None else m.gettext("Full history")
        elif keep is not None:
            label = m.gettext("At {date} (filtered as the map is)").format(date=reader.day(date, m))
        else:
            label = m.gettext("At {date}").format(date=reader.day(date, m))
        st.caption(label)
        with st.container(horizontal=True):  # the buttons as wide as their names, wrapping in a narrow sidebar
            for fmt, (name, _, mime) in FORMATS.items():
                st.download_button(name, _deferred(ds, fmt, when, keep), file_name=file_name(fmt, when, keep is not None),
                                   mime=mime, on_click="ignore", key=f"download-{fmt}-{'date' if when else 'history'}")


__all__ = ["FORMATS", "download_buttons", "file_name"]
