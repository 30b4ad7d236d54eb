"""The Garrison map, defined with folium and rendered into the map component's HTML and JS.

`build_map` makes the folium map: the offline basemap, opt-in online tiles, the Garrison layers
(one folium element per layer type, from layers/*.yaml), the legend and the layer control.
`component_parts` turns it into what `st.components.v2.component` takes: the HTML (the map's
div, above the timeline's slot) and one ES module that loads the map's scripts and runs folium's
script against static/garrison/map/main.js. Same inputs -> the same parts (the map is built once
per basemap and layers; the data and the view travel as the component's `data`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import folium
from folium.elements import JSCSSMixin

from garrison.basemap.assets import static_url
from garrison.basemap.guard import walk
from garrison.basemap.offline import offline_map
from garrison.basemap.providers import PROVIDERS, tile_layer

from .elements import LAYER_ELEMENTS, GarrisonAttach, GarrisonLegend
from .elements.base import js_json
from .layers import LayerDef

ONLINE_BASEMAPS = {"osm": "OpenStreetMap (online)", "satellite": "Satellite imagery, Esri (online)"}
MAIN_JS = "garrison/map/main.js"
MAP_CSS = "garrison/garrison-map.css"
LAYOUT_CSS = "garrison/garrison-layout.css"  # the map's size, its title and labels, dark theme


def build_map(layers: Sequence[LayerDef], center: tuple[float, float] = (30.0, 25.0), zoom: int = 4,
              online: str | None = None) -> folium.Map:
    """The offline map with the Garrison layers. `online` ("osm" or "satellite") adds that
    provider's tiles, with attribution: the only way the map ever requests anything from the
    internet, and only when the user opts in."""
    # zoom 18: two installations 50 m apart are two markers to click (the basemap has no more detail)
    m = offline_map(location=center, zoom_start=zoom, control_scale=True, prefer_canvas=False, max_zoom=18)
    GarrisonAttach().add_to(m)
    if online is not None:
        if online not in PROVIDERS:
            raise ValueError(f"unknown online basemap {online!r}; choose one of {sorted(PROVIDERS)}")
        tile_layer(online, layer_name=ONLINE_BASEMAPS[online]).add_to(m)
    for layer in layers:
        LAYER_ELEMENTS[layer.type](layer).add_to(m)
    GarrisonLegend().add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    return m


@dataclass(frozen=True)
class ComponentParts:
    name: str  # the component's registered name: changes with its content
    html: str
    js: str
    css: str


def _assets(m: folium.Map) -> tuple[list[str], list[str]]:
    scripts, styles = [], []
    for elem in walk(m):
        if isinstance(elem, JSCSSMixin) or isinstance(elem, folium.Map):
            scripts += [url for _, url in getattr(elem, "default_js", [])]
            styles += [url for _, url in getattr(elem, "default_css", [])]
    return list(dict.fromkeys(scripts)), list(dict.fromkeys([*styles, static_url(MAP_CSS), static_url(LAYOUT_CSS)]))


def component_parts(m: folium.Map) -> ComponentParts:
    """The component's HTML and JS for a folium map (see the module's docstring).

    The map comes first and the timeline under it: on a phone the map is in the first screen and
    the controls fold under it. Its height follows the viewport (static/garrison/garrison-layout.css)."""
    root = m.get_root()
    root.render()
    scripts, styles = _assets(m)
    map_div = root.html.render().strip()
    html = (f'<div class="garrison-root"><div class="garrison-map-box">{map_div}</div>'
            '<div class="garrison-timeline-slot"></div></div>')
    js = (
        "export default async function (component) {\n"
        f"  const main = await import(new URL({js_json(static_url(MAIN_JS))}, location.href).href);\n"
        f"  return main.mount(component, {{ scripts: {js_json(scripts)}, styles: {js_json(styles)},\n"
        "    build: function (garrison) {\n"
        f"{root.script.render()}\n"
        "    } });\n"
        "}\n"
    )
    css = ".garrison-root .folium-map { position: relative; width: 100%; height: 100%; }"
    digest = hashlib.blake2b((html + js + css).encode(), digest_size=6).hexdigest()
    return ComponentParts(f"garrison_map_{digest}", html, js, css)


def render_html(m: folium.Map) -> str:
    """Standalone HTML of a map's definition (for tests of what it would load)."""
    return m.get_root().render()


__all__ = ["ComponentParts", "build_map", "component_parts", "render_html"]
