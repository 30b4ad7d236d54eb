"""Hands the folium map to the Garrison component (static/garrison/map/main.js `attach`)."""

from __future__ import annotations

import folium
from folium.template import Template


class GarrisonAttach(folium.MacroElement):
    """Add first: the layers and the legend that follow belong to this map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        garrison.attach({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "GarrisonAttach"
