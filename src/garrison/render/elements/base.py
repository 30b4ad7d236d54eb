"""What the Garrison layer elements share: a folium Layer created by the component's `garrison.layer`."""

from __future__ import annotations

import html
import json
from typing import Any

from folium.map import Layer
from folium.template import Template

from ..layers import LayerDef


def js_json(value: Any) -> str:
    """JSON safe inside a <script>: no '</script>' or HTML comment can break out."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


class GarrisonLayer(Layer):
    """A layer of type `layer_type` (its JS class in static/garrison/map/), from a layers/*.yaml definition."""

    layer_type = ""
    js_module = ""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = garrison.layer({{ this.type_js }}, {{ this.options_js }});
        {% endmacro %}
    """)

    def __init__(self, definition: LayerDef):
        # Leaflet's layer control sets the name as HTML: escaped here, shown as text
        super().__init__(name=html.escape(definition.name), overlay=True, control=True, show=definition.visible)
        self._name = type(self).__name__
        self.definition = definition
        self.type_js = js_json(self.layer_type)
        self.options_js = js_json(self.options(definition))

    def options(self, d: LayerDef) -> dict:
        # the filter is decided on the server (render/mapstate.py layer_matches), by layer id
        return {"id": d.id, "style": d.style, "legend": d.legend}
