"""One script instead of five: the map's own JS files concatenated into a content-hashed file.

streamlit-folium loads a map's scripts one after another, each waiting for the previous one to
arrive and run (Leaflet, the folium stand-in, topojson, the basemap, the Garrison layer). In a
fresh browser that chain cost about 250 ms of the first paint; one file costs one request.

Only scripts served from the project's ``static/`` folder are bundled; a map that would load
anything else is left exactly as it is (the offline guard reports such URLs).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

import folium
from folium.elements import JSCSSMixin

from basemap.assets import STATIC_URL_BASE, find_static_dir, static_url

from ..atomic import write_atomic

KEEP_BUNDLES = 4
_cache: dict[tuple, str] = {}  # (folder, files, mtimes) -> bundle file name: a rerun reads nothing


def script_elements(m: folium.Map) -> list[JSCSSMixin]:
    """The map's JSCSSMixin elements in the order streamlit-folium collects their scripts."""
    out: list[JSCSSMixin] = []

    def walk(e) -> None:
        if isinstance(e, JSCSSMixin):
            out.append(e)
        for child in getattr(e, "_children", {}).values():
            walk(child)

    walk(m)
    return out


def _local_file(url: str, static_dir: Path) -> Path | None:
    """The file behind a /app/static/... URL, or None for anything else."""
    parts = urlsplit(url)
    prefix = STATIC_URL_BASE.rstrip("/") + "/"
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
    static_dir = find_static_dir()
    elements = script_elements(m)
    urls = list(dict.fromkeys(url for e in elements for _, url in getattr(e, "default_js", [])))
    urls = [u for u in first if u in urls] + [u for u in urls if u not in first]
    files = [_local_file(u, static_dir) for u in urls]
    if not files or any(f is None for f in files):
        return None
    key = (str(folder), *((str(f), f.stat().st_mtime_ns) for f in files))
    name = _cache.get(key)
    if name is None or not (folder / name).exists():
        name = _write_bundle(files, folder)
        _cache[key] = name
    rel = (folder / name).resolve().relative_to(static_dir.resolve()).as_posix()
    url = static_url(rel) + (f"?{query}" if query else "")
    for e in elements:
        e.default_js = []  # instance attribute: folium's class-level lists stay untouched
    m.default_js = [("garrison_bundle", url)]
    return url


def _write_bundle(files: list[Path], folder: Path) -> str:
    # Each file ends its last statement and gets a newline: a file without a trailing ';'
    # must not run into the next one.
    text = "".join(f"/* {f.name} */\n{f.read_text(encoding='utf-8')}\n;\n" for f in files)
    name = f"scripts-{hashlib.blake2b(text.encode(), digest_size=10).hexdigest()}.js"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if target.exists():
        target.touch()
    else:
        write_atomic(target, text)
    old = sorted(folder.glob("scripts-*.js"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in old[KEEP_BUNDLES:]:
        if stale.stat().st_mtime < time.time() - 600:  # a page may still be loading it
            stale.unlink(missing_ok=True)
    return name
