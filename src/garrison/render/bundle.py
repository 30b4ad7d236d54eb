"""One script instead of five: the map's own JS files concatenated into a content-hashed file.

streamlit-folium loads a map's scripts one after another, each waiting for the previous one to
arrive and run (Leaflet, the folium stand-in, topojson, the basemap, the Garrison layer). In a
fresh browser that chain cost about 250 ms of the first paint; one file costs one request.

Only scripts served from the project's ``static/`` folder are bundled; a map that would load
anything else is left exactly as it is (the offline guard reports such URLs).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

import folium
from folium.elements import JSCSSMixin

import garrison.basemap.assets as assets
from garrison.basemap.guard import walk

from .generated import write_generated

KEEP_BUNDLES = 4
_files: dict[tuple, list[Path] | None] = {}  # (static dir, script URLs) -> their files, or None
_names: dict[tuple, str] = {}  # (folder, files and mtimes) -> bundle file name: a rerun reads nothing


def script_elements(m: folium.Map) -> list[JSCSSMixin]:
    """The map's JSCSSMixin elements in the order streamlit-folium collects their scripts."""
    return [e for e in walk(m) if isinstance(e, JSCSSMixin)]


def _local_file(url: str, static_dir: Path) -> Path | None:
    """The file behind a /app/static/... URL, or None for anything else."""
    parts = urlsplit(url)
    prefix = assets.STATIC_URL_BASE.rstrip("/") + "/"  # read now: set_static_url_base may have changed it
    if parts.scheme or parts.netloc or parts.query or not parts.path.startswith(prefix):
        return None
    path = (static_dir / unquote(parts.path[len(prefix):])).resolve()
    return path if path.is_file() and path.is_relative_to(static_dir.resolve()) else None


def bundle_scripts(m: folium.Map, folder: Path, query: str = "", first: Sequence[str] = ()) -> str | None:
    """Replace every element's scripts with one bundle in `folder` (under static/); its URL.

    `query` is appended to the bundle's URL, and the scripts in `first` (which must need none of
    the others) run before the rest: garrison-prefetch.js reads the data's URL from the query and
    starts the download before Leaflet has even started. Returns None, changing nothing, when a
    script is not a local static file.
    """
    static_dir = assets.find_static_dir()
    elements = script_elements(m)
    urls = list(dict.fromkeys(url for e in elements for _, url in getattr(e, "default_js", [])))
    urls = [u for u in first if u in urls] + [u for u in urls if u not in first]
    where = (str(static_dir), assets.STATIC_URL_BASE, *urls)
    if where not in _files:  # resolved once; every rerun builds the map (and so calls this) again
        found = [_local_file(u, static_dir) for u in urls]
        _files[where] = found if found and all(found) else None
    files = _files[where]
    if files is None:
        return None
    try:
        key = (str(folder), *((str(f), f.stat().st_mtime_ns) for f in files))
    except OSError:  # a script went away since: resolve again next time, load them one by one now
        del _files[where]
        return None
    name = _names.get(key)
    if name is None or not (folder / name).exists():
        # each file ends its last statement and gets a newline: one without a trailing ';'
        # must not run into the next one
        text = "".join(f"/* {f.name} */\n{f.read_text(encoding='utf-8')}\n;\n" for f in files)
        name = _names[key] = write_generated(folder, "scripts", ".js", text, KEEP_BUNDLES)
    rel = (folder / name).resolve().relative_to(static_dir.resolve()).as_posix()
    url = assets.static_url(rel) + (f"?{query}" if query else "")
    for e in elements:
        e.default_js = []  # instance attribute: folium's class-level lists stay untouched
    m.default_js = [("garrison_bundle", url)]
    return url
