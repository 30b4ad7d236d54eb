#!/usr/bin/env python3
"""Refresh the vendored front-end files and Natural Earth data under ``static/``.

Everything the offline map loads in the browser comes from here; nothing is
fetched from a CDN at run time.  This script is the only thing that talks to
the network, and only to the npm registry (through ``npm pack``).

    python3 scripts/vendor_assets.py           # fetch pinned packages, rewrite files
    python3 scripts/vendor_assets.py --check   # verify static/ against MANIFEST (offline)

Output
------
static/vendor/<package>/...   Leaflet, topojson-client, gifenc, webm-muxer and mp4-muxer, each with its LICENSE
static/basemap/*.json         world-atlas TopoJSON (Natural Earth, public domain),
                              places.json and country-labels.json derived from
                              Natural Earth, plus the packages' LICENSE files
static/vendor/MANIFEST.json   one entry per written file: package, version,
                              licence, source path in the package, sha256

Standard library only (plus the ``npm`` client for downloading).
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
}

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
}
# Files whose *content* is Natural Earth data (the package licence covers the
# packaging/code, the data itself is public domain).
NATURAL_EARTH_PACKAGES = {"world-atlas", "globe.gl"}
# The basemap TopoJSON the map fetches, also stored gzipped: the server sends a `.gz` file as it is
# (application/gzip), while a `.json` it gzips again on every request (40 ms of the server's CPU
# for the 1:50m file, most of 200 ms for the 1:10m one); the browser inflates it in its worker.
GZIPPED = ("basemap/countries-50m.json", "basemap/countries-10m.json")

PLACES_SOURCE = ("globe.gl", "example/datasets/ne_110m_populated_places_simple.geojson")
COUNTRY_LABELS_SOURCE = ("world-atlas", "countries-50m.json")

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
MANIFEST = STATIC / "vendor" / "MANIFEST.json"
PLACES_MAX_BYTES = 400 * 1024


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


def package_licence(pkg_root: Path) -> tuple[str, Path]:
    """Licence id from package.json and the path of the LICENSE file."""
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


def refresh() -> dict:
    with tempfile.TemporaryDirectory(prefix="garrison-vendor-") as tmp:
        roots = {n: npm_pack(n, v, Path(tmp)) for n, v in PACKAGES.items()}
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

        # Derived: places.json
        pkg, src_rel = PLACES_SOURCE
        gj = json.loads((roots[pkg] / src_rel).read_text(encoding="utf-8"))
        places = places_from_geojson(gj)
        write_json(STATIC / "basemap" / "places.json", places)
        size = (STATIC / "basemap" / "places.json").stat().st_size
        if size > PLACES_MAX_BYTES:
            raise RuntimeError(f"places.json is {size} bytes (> {PLACES_MAX_BYTES})")
        record("basemap/places.json", pkg, src_rel,
               derived="name, lat, lon, scalerank, min_zoom, pop_max, adm0cap per place",
               count=len(places))

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
    args = ap.parse_args(argv)
    if args.check:
        return check()
    if not shutil.which("npm"):
        log("npm is required (apt-get install npm)")
        return 2
    manifest = refresh()
    total = sum(e["bytes"] for e in manifest["files"])
    log(f"wrote {len(manifest['files'])} files ({total / 1e6:.1f} MB) + {MANIFEST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
