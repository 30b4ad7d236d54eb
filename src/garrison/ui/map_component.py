"""The Garrison map component on the page (Streamlit Custom Components v2, no iframe).

`garrison_map` mounts the map built by garrison.render.mapview with this run's `data`
(garrison.render.mapstate.map_data) and returns what the browser said: the `date` and `view`
state values and the `select` / `place` triggers (each None when not sent this run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from ..render.mapview import ComponentParts


@dataclass(frozen=True)
class MapEvents:
    date: str | None  # the date the reader settled on (a drag, a key, a play that stopped)
    view: dict | None  # {lat, lon, zoom} once the map settled on a view the server did not send
    select: str | None  # an installation's id, clicked or chosen with the keyboard (this run only)
    place: dict | None  # {lat, lng} clicked on the empty map in edit mode (this run only)


@st.cache_resource(max_entries=8)
def _register(parts: ComponentParts) -> Callable[..., Any]:
    """One registration per distinct map definition (named after its content)."""
    return st.components.v2.component(parts.name, html=parts.html, js=parts.js, css=parts.css, isolate_styles=False)


def garrison_map(parts: ComponentParts, data: dict, key: str, on_change: Callable[[], None] | None = None) -> MapEvents:
    """Mount (or update) the map; `on_change` runs before the rerun any browser event causes."""
    noop = on_change or (lambda: None)
    result = _register(parts)(data=data, key=key, height="content", width="stretch",
                              on_date_change=noop, on_view_change=noop, on_select_change=noop, on_place_change=noop)
    return MapEvents(date=result.get("date") if hasattr(result, "get") else getattr(result, "date", None),
                     view=getattr(result, "view", None), select=getattr(result, "select", None),
                     place=getattr(result, "place", None))
