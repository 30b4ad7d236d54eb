"""Folium elements for the Garrison map: built once per dataset, then driven by tiny messages.

``build_map`` returns the map whose script never changes while the data stays the same (so
streamlit-folium never remounts it); ``state_message`` is the per-rerun FeatureGroup whose only
content is one ``Garrison.setState(...)`` call with JSON-encoded state.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import folium
from folium.elements import JSCSSMixin
from folium.template import Template

from garrison.basemap.assets import static_url
from garrison.basemap.offline import offline_map
from garrison.basemap.providers import PROVIDERS, tile_layer

from .bundle import bundle_scripts


def _js_json(value: Any) -> str:
    """JSON safe inside a <script>: no '</script>' or HTML comment can break out."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


PREFETCH_JS = "garrison/garrison-prefetch.js"  # starts the data's download; first in the bundle


class GarrisonLayer(JSCSSMixin, folium.MacroElement):
    """Loads the payload (a static JSON file) and draws every layer in the browser."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = Garrison.init({{ this._parent.get_name() }}, {{ this.options_js }});
        {% endmacro %}
    """)

    def __init__(self, data_url: str, follow_slider: str | None = None):
        super().__init__()
        self._name = "GarrisonLayer"
        # follow_slider: the label of the page's date slider, which the map then follows directly
        self.options_js = _js_json({"dataUrl": data_url, "followSlider": follow_slider})
        self.default_js = [("garrison_prefetch_js", static_url(PREFETCH_JS)),
                           ("garrison_map_js", static_url("garrison/garrison-map.js"))]
        self.default_css = [("garrison_map_css", static_url("garrison/garrison-map.css"))]


class StateMessage(folium.MacroElement):
    """One ``Garrison.setState`` call: the date, compare date, selection, filter, fit."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (window.__garrisonQueue = window.__garrisonQueue || []).push({{ this.state_js }});
        if (window.Garrison && window.Garrison.flush) { window.Garrison.flush(); }
        {% endmacro %}
    """)

    def __init__(self, state: dict):
        super().__init__()
        self._name = "GarrisonState"
        self.state_js = _js_json(state)


ONLINE_BASEMAPS = {"osm": "OpenStreetMap (online)", "satellite": "Satellite imagery, Esri (online)"}


def build_map(data_url: str, center: tuple[float, float] = (30.0, 25.0), zoom: int = 4,
              online: str | None = None, follow_slider: str | None = None,
              bundle_dir: Path | None = None) -> folium.Map:
    """The offline map with the Garrison layer. Same inputs -> identical script.

    `online` ("osm" or "satellite") adds that provider's tiles, with attribution: the only
    way the map ever requests anything from the internet, and only when the user opts in.
    `follow_slider` is the label of the page's date slider: the map restyles as that slider
    moves, before the rerun's state message arrives. With `bundle_dir` (a folder under static/)
    the map's scripts are served as one file whose URL names the data, which the browser then
    fetches while the scripts are still running.
    """
    m = offline_map(location=center, zoom_start=zoom, control_scale=True, prefer_canvas=False)
    if online is not None:
        if online not in PROVIDERS:
            raise ValueError(f"unknown online basemap {online!r}; choose one of {sorted(PROVIDERS)}")
        tile_layer(online, layer_name=ONLINE_BASEMAPS[online]).add_to(m)
    GarrisonLayer(data_url, follow_slider).add_to(m)
    if bundle_dir is not None:
        bundle_scripts(m, Path(bundle_dir), query=urlencode({"data": data_url}), first=[static_url(PREFETCH_JS)])
    return m


def state_message(state: dict) -> folium.FeatureGroup:
    """A FeatureGroup carrying only a state message (streamlit-folium re-evaluates it per rerun)."""
    fg = folium.FeatureGroup(name="garrison-state", control=False)
    fg.add_child(StateMessage(state))
    return fg


def render_html(m: folium.Map) -> str:
    """Standalone HTML of a map (for tests and exports)."""
    return m.get_root().render()


__all__ = ["GarrisonLayer", "StateMessage", "build_map", "render_html", "state_message"]
