"""Folium maps that load nothing from the internet.

:func:`offline_map` builds a :class:`folium.Map` with no tile layer whose only
JS/CSS is the vendored Leaflet (folium's default also pulls jQuery, Bootstrap,
awesome-markers and Font Awesome from CDNs), and adds a
:class:`NaturalEarthLayer`: land, coastline, borders, country and town names
drawn in the browser from TopoJSON served under ``/app/static/``.

Works both with ``m.get_root().render()`` (a standalone HTML page) and with
Garrison's map component (garrison.render.mapview.component_parts), which loads
every element's ``default_js`` into the page and runs folium's script.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from garrison.basemap.assets import static_path, static_url

LEAFLET_JS = "vendor/leaflet/leaflet.js"
LEAFLET_CSS = "vendor/leaflet/leaflet.css"
TOPOJSON_JS = "vendor/topojson-client/topojson-client.min.js"
BASEMAP_JS = "basemap/garrison-basemap.js"

LOW_RES = "basemap/countries-50m.json"
HIGH_RES = "basemap/countries-10m.json"
PLACES = "basemap/places.json"
COUNTRY_LABELS = "basemap/country-labels.json"

#: Credit for the basemap's data, shown on the map and drawn on its pictures (capture.js reads it
#: from the map): Natural Earth (public domain) and GeoNames' towns in places.json (CC BY 4.0).
ATTRIBUTION = "Natural Earth, GeoNames"

#: Calm light style; every key can be overridden through NaturalEarthLayer(style=...).
DEFAULT_STYLE = {
    "sea": "#d9e4ea",
    "land": "#f6f4ee",
    "coast": "#9fb3bf",
    "border": "#b4a6b1",
    "coast_weight": 0.8,
    "border_weight": 0.9,
}


def leaflet_js() -> list[tuple[str, str]]:
    """The map's own script: vendored Leaflet (folium's default also pulls jQuery and more from CDNs)."""
    return [("leaflet", static_url(LEAFLET_JS))]


def leaflet_css() -> list[tuple[str, str]]:
    return [("leaflet_css", static_url(LEAFLET_CSS))]


class NaturalEarthLayer(JSCSSMixin, Layer):
    """Offline Natural Earth basemap, with GeoNames' towns, drawn by ``static/basemap/garrison-basemap.js``.

    A folium ``Layer`` (a base layer by default), so a ``folium.LayerControl``
    can switch between it and opt-in online tiles from :mod:`garrison.basemap.providers`.

    Parameters
    ----------
    name : label in a LayerControl.
    detail_zoom : from this zoom on the 1:10m data is used (fetched once, on demand).
    country_labels, place_labels : draw country names / populated places.
    place_zoom_offset : show a place from (Natural Earth ``min_zoom`` - offset) on.
    style : overrides for :data:`DEFAULT_STYLE`.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = GarrisonBasemap.naturalEarth(
                {{ this.options|tojavascript }}
            );
        {% endmacro %}
        """
    )

    def __init__(
        self,
        name: str = "Natural Earth (offline)",
        *,
        detail_zoom: int = 5,
        country_labels: bool = True,
        place_labels: bool = True,
        place_zoom_offset: float = 1,
        style: dict[str, Any] | None = None,
        overlay: bool = False,
        control: bool = True,
        show: bool = True,
    ):
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "NaturalEarthLayer"
        unknown = set(style or {}) - set(DEFAULT_STYLE)
        if unknown:
            raise ValueError(f"unknown style keys: {sorted(unknown)}")
        # Instance attributes, built now, so a changed STATIC_URL_BASE is honoured.
        self.default_js = [
            ("topojson_client", static_url(TOPOJSON_JS)),
            ("garrison_basemap", static_url(BASEMAP_JS)),
        ]
        self.default_css = []
        self.options = {
            "urls": {
                "low": static_url(LOW_RES),
                "high": static_url(HIGH_RES),
                "places": static_url(PLACES),
                "country_labels": static_url(COUNTRY_LABELS),
                "topojson": static_url(TOPOJSON_JS),  # its text goes into the worker that decodes the data
                # gzipped copies (scripts/vendor_assets.py), sent by the server as they are
                **{f"{res}_gz": static_url(f"{rel}.gz")
                   for res, rel in (("low", LOW_RES), ("high", HIGH_RES), ("places", PLACES))
                   if static_path(f"{rel}.gz").is_file()},
            },
            "attribution": ATTRIBUTION,
            "detail_zoom": int(detail_zoom),
            "country_labels": bool(country_labels),
            "place_labels": bool(place_labels),
            "place_zoom_offset": float(place_zoom_offset),
            **DEFAULT_STYLE,
            **(style or {}),
        }


def make_offline(m: folium.Map) -> folium.Map:
    """Point an existing map's own JS/CSS at the vendored Leaflet only.

    Drops folium's jQuery, Bootstrap, awesome-markers and Font Awesome: so
    ``folium.Icon`` markers (awesome-markers) and folium ``Popup`` content (jQuery) are out --
    use ``CircleMarker``, ``DivIcon``, tooltips or a ``CustomIcon`` from static/.
    """
    m.default_js = leaflet_js()
    m.default_css = leaflet_css()
    return m


def offline_map(
    location: Sequence[float] | None = (20.0, 0.0),
    zoom_start: int = 3,
    *,
    natural_earth: bool | NaturalEarthLayer = True,
    min_zoom: int = 2,
    max_zoom: int = 12,
    **kw: Any,
) -> folium.Map:
    """A ``folium.Map`` with no tiles, vendored Leaflet only, and the offline basemap.

    ``kw`` goes to :class:`folium.Map` (``tiles`` may only be None: add online
    tiles explicitly with :mod:`garrison.basemap.providers`).  Pass ``natural_earth=False``
    for a bare map, or a configured :class:`NaturalEarthLayer`.
    """
    tiles = kw.pop("tiles", None)
    if tiles is not None:
        raise ValueError(
            "offline_map() takes no tiles; add garrison.basemap.providers.openstreetmap() "
            "or .satellite() to the map if the user opts in to online tiles"
        )
    m = folium.Map(location=location, zoom_start=zoom_start, tiles=None, **kw)
    # With tiles=None folium drops min_zoom/max_zoom (it hands them to the tile
    # layer), so they go on the map itself.
    m.options["min_zoom"] = min_zoom
    m.options["max_zoom"] = max_zoom
    make_offline(m)
    if natural_earth is True:
        NaturalEarthLayer().add_to(m)
    elif isinstance(natural_earth, NaturalEarthLayer):
        natural_earth.add_to(m)
    return m
