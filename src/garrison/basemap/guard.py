"""Refuse folium maps that would make the browser load anything from the internet.

:func:`find_online_resources` walks a map's element tree the way the map
component (garrison.render.mapview) collects the scripts it loads into the page:
every ``JSCSSMixin``'s ``default_js`` / ``default_css`` (branca colormaps bring d3
from a CDN that way).  It also looks at tile / image layers and at links put
straight into the page header.
:func:`assert_offline` raises ``ValueError`` naming each offending element and URL.

:func:`localize_cdn_urls` swaps known CDN URLs for vendored copies under
``static/`` (only Leaflet is vendored so far, its URLs read from folium; extend
``VENDORED_CDN_URLS`` when a folium plugin is vendored by
``scripts/vendor_assets.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

import folium
import folium.plugins
from branca.element import CssLink, JavascriptLink
from folium.elements import JSCSSMixin

from garrison.basemap.assets import static_url
from garrison.basemap.offline import LEAFLET_CSS, LEAFLET_JS

#: CDN URL -> vendored file under static/ (see scripts/vendor_assets.py): the Leaflet URLs the
#: installed folium puts on every map, read from folium itself so an upgrade cannot slip past.
VENDORED_CDN_URLS: dict[str, str] = {
    url: {"leaflet": LEAFLET_JS, "leaflet_css": LEAFLET_CSS}[name]
    for name, url in [*folium.Map.default_js, *folium.Map.default_css] if name in ("leaflet", "leaflet_css")
}

_REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


class OnlineResource(NamedTuple):
    element: str  # e.g. "Map map_1234" or "LinearColormap color_map_ab12"
    kind: str  # "js", "css", "colormap", "tiles", "image", "header"
    url: str

    def __str__(self) -> str:
        return f"{self.element} loads {self.kind} from {self.url}"


def is_remote(url: object) -> bool:
    """True for http(s):// and protocol-relative //host URLs (any scheme://, really)."""
    return isinstance(url, str) and bool(_REMOTE.match(url)) and not url.strip().lower().startswith(
        ("data:", "blob:")
    )


def _label(elem) -> str:
    try:
        return f"{type(elem).__name__} {elem.get_name()}"
    except Exception:  # pragma: no cover - exotic elements
        return type(elem).__name__


def walk(fig) -> Iterator:
    """Every element under ``fig``, depth first (what the map component loads scripts from)."""
    yield fig
    if isinstance(fig, folium.plugins.DualMap):
        yield from walk(fig.m1)
        yield from walk(fig.m2)
    for child in getattr(fig, "_children", {}).values():
        yield from walk(child)


def find_online_resources(m, *, allow_tiles: bool = False) -> list[OnlineResource]:
    """All the internet URLs the browser would load for map ``m``.

    ``allow_tiles=True`` ignores tile/WMS layers, for maps where the user opted
    in to online tiles (:mod:`garrison.basemap.providers`).
    """
    found: list[OnlineResource] = []
    for elem in walk(m):
        label = _label(elem)
        if isinstance(elem, JSCSSMixin):
            for _, url in getattr(elem, "default_js", []):
                if is_remote(url):
                    found.append(OnlineResource(label, "js", url))
            for _, url in getattr(elem, "default_css", []):
                if is_remote(url):
                    found.append(OnlineResource(label, "css", url))
        if not allow_tiles:
            if isinstance(elem, folium.raster_layers.TileLayer) and is_remote(elem.tiles):
                found.append(OnlineResource(label, "tiles", elem.tiles))
            if isinstance(elem, folium.raster_layers.WmsTileLayer) and is_remote(elem.url):
                found.append(OnlineResource(label, "tiles", elem.url))
        if isinstance(elem, folium.raster_layers.ImageOverlay) and is_remote(elem.url):
            found.append(OnlineResource(label, "image", elem.url))
        if isinstance(elem, folium.raster_layers.VideoOverlay) and is_remote(elem.video_url):
            found.append(OnlineResource(label, "video", elem.video_url))
    # Links put into the page header (folium.Figure): by hand, or by elements as they render
    # (a branca colormap adds d3 from a CDN there), so the map is rendered first.
    root = m.get_root() if hasattr(m, "get_root") else None
    if root is not None and hasattr(root, "render"):
        root.render()
    header = getattr(root, "header", None)
    if header is not None:
        for elem in header._children.values():
            if isinstance(elem, (JavascriptLink, CssLink)) and is_remote(elem.url):
                found.append(OnlineResource(f"header {type(elem).__name__}", "header", elem.url))
    # Same URL reported once per element.
    return list(dict.fromkeys(found))


def assert_offline(m, *, allow_tiles: bool = False) -> None:
    """Raise ``ValueError`` naming every element and URL that would go online."""
    found = find_online_resources(m, allow_tiles=allow_tiles)
    if found:
        lines = "\n  ".join(str(r) for r in found)
        raise ValueError(f"map would load {len(found)} resource(s) from the internet:\n  {lines}")


def localize_cdn_urls(m, mapping: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    """Replace CDN URLs with vendored ``static/`` URLs in every JSCSSMixin under ``m``.

    Returns ``(element, old_url, new_url)`` for each replacement.  URLs not in
    ``mapping`` (default :data:`VENDORED_CDN_URLS`) are left for
    :func:`assert_offline` to report.
    """
    mapping = VENDORED_CDN_URLS if mapping is None else mapping
    done = []
    for elem in walk(m):
        if not isinstance(elem, JSCSSMixin):
            continue
        for attr in ("default_js", "default_css"):
            links = list(getattr(elem, attr, []))
            changed = False
            for i, (name, url) in enumerate(links):
                if url in mapping:
                    new = static_url(mapping[url])
                    links[i] = (name, new)
                    done.append((_label(elem), url, new))
                    changed = True
            if changed:
                # Instance attribute: never mutate the class-level list folium shares.
                setattr(elem, attr, links)
    return done
