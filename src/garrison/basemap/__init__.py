"""Offline basemap for the Garrison map: vendored Leaflet + Natural Earth, with GeoNames' towns.

- :func:`offline_map` / :class:`NaturalEarthLayer` -- the map (``garrison.basemap.offline``)
- :func:`assert_offline` -- refuses maps that would load anything from the internet
- :mod:`garrison.basemap.providers` -- opt-in online tiles (OpenStreetMap, satellite)
- :func:`static_url` -- URLs of files in the project's ``static/`` folder
"""

from garrison.basemap.assets import load_manifest, static_path, static_url
from garrison.basemap.guard import assert_offline, find_online_resources, localize_cdn_urls
from garrison.basemap.offline import NaturalEarthLayer, make_offline, offline_map

__all__ = [
    "NaturalEarthLayer",
    "assert_offline",
    "find_online_resources",
    "load_manifest",
    "localize_cdn_urls",
    "make_offline",
    "offline_map",
    "static_path",
    "static_url",
]
