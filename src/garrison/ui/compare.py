"""The compare panel: what changed between the compare date and the map's date, under the
sidebar's filters -- a heading that counts the kinds of change, the table (one column per aspect,
before → after) and its CSV. The words are garrison.compare's."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from ..compare import TABLE_COLUMNS, compare_changes, compare_csv, heading_counts, table_rows
from ..dataset import Dataset
from ..render.mapstate import filter_masks
from .panels import md_escape
from .permalink import View


def compare_panel(ds: Dataset, view: View, hits: list[str] | None) -> None:
    """The panel for a view with a compare date (nothing otherwise)."""
    if view.compare is None:
        return
    d1, d2 = sorted([view.compare, view.date])
    changes = compare_changes(ds, d1, d2, *filter_masks(ds, view, hits))
    filtered = any(view.filters.values()) or hits is not None
    st.subheader(f"From {d1} to {d2}: {heading_counts(changes)}")
    if changes:
        frame = pd.DataFrame(table_rows(changes), columns=list(TABLE_COLUMNS)).map(md_escape)  # st.table reads Markdown
        st.table(frame, hide_index=True)
    st.caption(f"{len(changes)} installation(s) differ{' among those the filters keep' if filtered else ''}; "
               "highlighted on the map. “Since”: when the later state began, as precisely as the sources date it.")
    st.download_button("Download this table (CSV)", compare_csv(ds, changes), file_name=csv_name(d1, d2),
                       mime="text/csv", key="compare_csv", icon=":material/download:")


def csv_name(d1: dt.date, d2: dt.date) -> str:
    return f"garrison-changes-{d1}-to-{d2}.csv"
