"""The legend panel beside the map (under it when narrow): what the view shows (legend.js)."""

from __future__ import annotations

import folium
from folium.template import Template

from .base import js_json


class GarrisonLegend(folium.MacroElement):
    """Add after the layers: it lists them."""

    js_module = "garrison/map/legend.js"
    _template = Template("""
        {% macro script(this, kwargs) %}
        garrison.legend({{ this.options_js }}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, title: str | None = None) -> None:
        """`title`: the panel's own title; without one it is "Legend" in the reader's language (legend.js)."""
        super().__init__()
        self._name = "GarrisonLegend"
        self.options_js = js_json({"title": title} if title else {})
