"""The naive baseline for benchmarks/bench_map.py: rebuild the whole folium map on every rerun.

    python benchmarks/bench_map.py          # starts it for you, see README-map.md

What a newcomer would write: an ``st.slider`` for the date; on every rerun a new ``folium`` map
(the same offline Leaflet + Natural Earth basemap as the real app, from
``garrison.basemap.offline_map``, so nothing is fetched from the internet) with one
``folium.CircleMarker`` per installation that has a record at the chosen date, coloured by
operator, turned into a standalone HTML page with ``m.get_root().render()`` and shown with
``st.components.v1.html(..., height=620)``. No streamlit-folium (the project no longer has it).

Every rerun sends the whole page (Leaflet's script tags, the basemap's, one JS statement per
marker) over the websocket, and the browser replaces the iframe's ``srcdoc``: the iframe reloads
Leaflet and the basemap and runs every marker's statement again. That *is* the naive cost being
measured; the real app (app.py) sends the data once and restyles the markers in the browser.

Streamlit serves ``<script folder>/static`` at ``/app/static/``; the offline Leaflet and
basemap live in the project's ``static/``, so bench_map.py runs this file through a symlink in
a temporary folder whose ``static`` links to the project's (``streamlit run
benchmarks/naive_app.py`` on its own would draw an empty map).

Benchmark hooks (nothing else depends on them):
* ``?date=YYYY-MM-DD`` in the URL is the slider's first value (default: the last day), so the
  benchmark can compare both apps at the same date;
* every marker path has the classes ``garrison-inst garrison-inst-<id> garrison-status-<status>``;
* the map container gets ``data-naive-date="YYYY-MM-DD"`` and ``data-naive-count`` once every
  marker of that date has been added (the stamp is the last statement of the map script).

The baseline is kept charitable: the data folder is loaded once (cached ``garrison.Loader``, like
the real app) and markers have no tooltips (folium compiles a Jinja template per Tooltip: ~3x
slower at 1k).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import folium  # noqa: E402
from folium.template import Template  # noqa: E402

from garrison import Loader, default_data_dir  # noqa: E402
from garrison.basemap import offline_map  # noqa: E402

st.set_page_config(page_title="Garrison (naive baseline)", page_icon="🗺", layout="wide")


class DateStamp(folium.MacroElement):
    """Marks the map container with the date it shows (runs after every marker was added)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.getContainer().setAttribute("data-naive-count", {{ this.count }});
        {{ this._parent.get_name() }}.getContainer().setAttribute("data-naive-date", {{ this.date_js }});
        {% endmacro %}
    """)

    def __init__(self, date: dt.date, count: int):
        super().__init__()
        self._name = "DateStamp"
        self.date_js = json.dumps(date.isoformat())
        self.count = int(count)


@st.cache_resource
def loader_for(data_dir: str) -> Loader:
    return Loader(data_dir)


data_dir = os.environ.get("GARRISON_DATA") or str(default_data_dir())
ds = loader_for(data_dir).load()
first, last = ds.span()

start = last
try:
    start = min(max(dt.date.fromisoformat(st.query_params.get("date", "")), first), last)
except ValueError:
    pass

st.title("Garrison — naive baseline")
date = st.slider("Date", min_value=first, max_value=last, value=start, step=dt.timedelta(days=1),
                 key="date", format="YYYY-MM-DD")

now = ds.state_at(date)
m = offline_map(location=(30.0, 25.0), zoom_start=4, control_scale=True)
for row in now.itertuples(index=False):
    colour = ds.actors[row.operator].colour if row.operator in ds.actors else "#9e9e9e"
    folium.CircleMarker(
        location=(float(row.lat), float(row.lon)), radius=7, weight=1.5, color="#333333",
        fill=True, fill_color=colour, fill_opacity=0.9,
        class_name=f"garrison-inst garrison-inst-{row.id} garrison-status-{row.status}",
    ).add_to(m)
DateStamp(date, len(now)).add_to(m)

components.html(m.get_root().render(), height=620)
st.caption(f"{len(now)} installations with a record on {date.isoformat()} · {len(ds.records)} in {data_dir}")
