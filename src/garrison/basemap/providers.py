"""Opt-in online tile layers (the only part of the basemap that uses the internet).

Nothing here contacts any server by itself: xyzservices' provider catalogue is
bundled with the package, and a TileLayer only makes the *browser* fetch tiles
once it is added to a map.  Call these only when the user asks for online tiles;
``assert_offline(m, allow_tiles=True)`` still checks everything else.

    m = offline_map()
    openstreetmap(show=False).add_to(m)
    satellite(show=False).add_to(m)
    folium.LayerControl().add_to(m)
"""

from __future__ import annotations

from typing import Any

import folium
import xyzservices
import xyzservices.providers as xyz

#: Friendly name -> xyzservices provider name.
PROVIDERS = {
    "osm": "OpenStreetMap.Mapnik",
    "satellite": "Esri.WorldImagery",
}


def get_provider(name: str) -> xyzservices.TileProvider:
    """An xyzservices provider by friendly name ("osm", "satellite") or full name."""
    full = PROVIDERS.get(name, name)
    provider = xyz.query_name(full)
    if provider.requires_token():
        raise ValueError(f"{full} needs an API key; not supported here")
    return provider


def tile_layer(name: str, *, layer_name: str | None = None, show: bool = True,
               **kw: Any) -> folium.TileLayer:
    """A base-layer ``folium.TileLayer`` for provider ``name``, with its attribution."""
    provider = get_provider(name)
    attribution = provider.get("html_attribution") or provider.get("attribution")
    if not attribution:
        raise ValueError(f"{provider.name} has no attribution")
    kw.setdefault("max_native_zoom", provider.get("max_zoom", 18))
    return folium.TileLayer(
        tiles=provider.build_url(scale_factor="{r}"),
        attr=attribution,
        name=layer_name or provider.name,
        overlay=False,
        control=True,
        show=show,
        **kw,
    )


def openstreetmap(**kw: Any) -> folium.TileLayer:
    """OpenStreetMap standard tiles (online; opt-in)."""
    kw.setdefault("layer_name", "OpenStreetMap (online)")
    return tile_layer("osm", **kw)


def satellite(**kw: Any) -> folium.TileLayer:
    """Esri World Imagery as the satellite view (online; opt-in)."""
    kw.setdefault("layer_name", "Satellite - Esri World Imagery (online)")
    return tile_layer("satellite", **kw)
