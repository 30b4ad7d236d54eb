"""The legend panel: operators on the map and each layer's entries (legend.js)."""

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

    def __init__(self, position: str = "bottomright", title: str = "Legend") -> None:
        super().__init__()
        self._name = "GarrisonLegend"
        self.options_js = js_json({"position": position, "title": title})
