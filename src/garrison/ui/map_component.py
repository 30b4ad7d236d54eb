"""The Garrison map component on the page (Streamlit Custom Components v2, no iframe).

`garrison_map` mounts the map built by garrison.render.mapview with this run's `data`
(garrison.render.mapstate.map_data) and returns what the browser said: the `date` and `view`
state values and the `select` / `place` triggers (each None when not sent this run).

The map first: a session's first run (`first_paint()`) leaves the page's charts as `chart_slot`s
and asks the map (`report_paint`) for the `painted` trigger once its markers are on screen (or
it cannot draw them); that trigger's rerun draws the charts. The charts' Vega code would
otherwise run in the page's one main thread before the map's module is even imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

from ..basemap.assets import static_path, static_url
from ..render.mapview import MAIN_JS, ComponentParts

FIRST_RUN_KEY = "_map_first_run_done"


@dataclass(frozen=True)
class MapEvents:
    date: str | None  # the date the reader settled on (a drag, a key, a play that stopped)
    view: dict | None  # {lat, lon, zoom} once the map settled on a view the server did not send
    select: str | None  # an installation's id, clicked or chosen with the keyboard (this run only)
    place: dict | None  # {lat, lng} clicked on the empty map in edit mode (this run only)


def first_paint() -> bool:
    """True on the session's first run only (call once per run): the map is drawn before the charts."""
    first = not st.session_state.get(FIRST_RUN_KEY)
    st.session_state[FIRST_RUN_KEY] = True
    return first


def chart_slot(height: int) -> None:
    """Where a chart comes on the next run: its space kept (nothing below it jumps far), in the chart's place."""
    st.html(f'<div class="garrison-chart-wait" style="height:{int(height)}px"></div>')


def with_preloads(parts: ComponentParts) -> ComponentParts:
    """The component's HTML with modulepreload links for main.js and its modules: the browser
    fetches them all as soon as the HTML is in the page, not one import after another."""
    folder = MAIN_JS.rsplit("/", 1)[0]  # every file there is one of the map's modules
    modules = [MAIN_JS, *sorted(f"{folder}/{p.name}" for p in static_path(folder).glob("*.js") if p.name != "main.js")]
    links = "".join(f'<link rel="modulepreload" href="{static_url(m)}">' for m in modules)
    return replace(parts, html=links + parts.html)


@st.cache_resource(max_entries=8)
def _register(parts: ComponentParts) -> Callable[..., Any]:
    """One registration per distinct map definition (named after its content)."""
    parts = with_preloads(parts)
    return st.components.v2.component(parts.name, html=parts.html, js=parts.js, css=parts.css, isolate_styles=False)


def garrison_map(parts: ComponentParts, data: dict, key: str, on_change: Callable[[], None] | None = None,
                 report_paint: bool = False) -> MapEvents:
    """Mount (or update) the map; `on_change` runs before the rerun any browser event causes.
    `report_paint`: the map sends the `painted` trigger (a rerun) once it has drawn its markers."""
    noop = on_change or (lambda: None)
    if report_paint:
        data = {**data, "report_paint": True}
    result = _register(parts)(data=data, key=key, height="content", width="stretch",
                              on_date_change=noop, on_view_change=noop, on_select_change=noop, on_place_change=noop,
                              on_painted_change=lambda: None)
    return MapEvents(date=result.get("date") if hasattr(result, "get") else getattr(result, "date", None),
                     view=getattr(result, "view", None), select=getattr(result, "select", None),
                     place=getattr(result, "place", None))
