"""Meaning checks that a JSON Schema cannot express. Each returns Problems, never raises."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pyproj import Geod
from shapely.geometry import Point, shape

from .dates import PartialDate, parse_partial
from .model import Installation, Period, RangeRing
from .problems import Problem, field_name
from .yamlsafe import Parsed

_GEOD = Geod(ellps="WGS84")
#: A footprint whose nearest edge is farther than this from the point is probably misplaced.
FOOTPRINT_MAX_KM = 25.0


class _Collector:
    def __init__(self, parsed: Parsed, file: str, record: str | None):
        self.parsed, self.file, self.record, self.items = parsed, file, record, []

    def add(self, path: tuple, msg: str, severity: str = "error", key: bool = False) -> None:
        line, col = self.parsed.where(path, key=key)
        self.items.append(Problem(self.file, line, col, field_name(path), msg, severity, self.record))

    def date(self, value: Any, path: tuple) -> PartialDate | None:
        try:
            return parse_partial(value)
        except ValueError as exc:
            self.add(path, str(exc))
            return None


def check_installation(parsed: Parsed, file: str, today: dt.date | None = None) -> tuple[Installation | None, list[Problem]]:
    """Build an Installation from a schema-valid document, or report why it is not sound."""
    doc = parsed.value
    c = _Collector(parsed, file, doc.get("id"))
    stem = Path(file).stem
    if doc["id"] != stem:
        c.add(("id",), f"id {doc['id']!r} must equal the file name {stem!r} (rename the file or fix the id)")
    _check_position(c, doc)
    history = _check_history(c, doc["history"], today or dt.date.today())
    ranges = _check_ranges(c, doc.get("ranges") or [])
    if any(p.severity == "error" for p in c.items):
        return None, c.items
    inst = Installation(
        id=doc["id"], name=doc["name"], kind=doc["kind"], country=doc["country"],
        lat=float(doc["lat"]), lon=float(doc["lon"]), history=history,
        names=dict(doc.get("names") or {}), footprint=doc.get("footprint"), ranges=ranges,
        file=file, line=parsed.where(())[0],
    )
    return inst, c.items


def _check_position(c: _Collector, doc: dict) -> None:
    lat, lon = doc["lat"], doc["lon"]
    if lat == 0 and lon == 0:
        c.add(("lat",), "lat and lon are both 0 (a placeholder?); give the real position", "warning")
    fp = doc.get("footprint")
    if not fp:
        return
    try:
        poly = shape(fp)
    except Exception as exc:  # shapely raises several types for malformed rings
        c.add(("footprint",), f"footprint is not a valid polygon: {exc}")
        return
    for i, ring in enumerate(fp["coordinates"]):
        if ring[0] != ring[-1]:
            c.add(("footprint", "coordinates", i), "polygon ring is not closed: repeat the first [lon, lat] point at the end")
        for j, (x, y) in enumerate(ring):
            if not (-180 <= x <= 180 and -90 <= y <= 90):
                c.add(("footprint", "coordinates", i, j), f"[{x}, {y}] is out of range; GeoJSON order is [lon, lat]")
    if not poly.is_valid:
        c.add(("footprint",), "footprint polygon is self-intersecting or degenerate", "warning")
    if poly.is_empty:
        return
    nearest = poly.exterior.interpolate(poly.exterior.project(Point(lon, lat)))
    if not poly.contains(Point(lon, lat)):
        _, _, metres = _GEOD.inv(lon, lat, nearest.x, nearest.y)
        if metres / 1000 > FOOTPRINT_MAX_KM:
            c.add(("footprint",), f"footprint lies {metres / 1000:.0f} km from lat/lon; coordinates swapped? (GeoJSON order is [lon, lat])", "warning")


def _check_history(c: _Collector, history: list[dict], today: dt.date) -> list[Period]:
    periods: list[Period] = []
    prev: tuple[int, dict, PartialDate, PartialDate | None] | None = None
    for i, raw in enumerate(history):
        start = c.date(raw["from"], ("history", i, "from"))
        end = c.date(raw["to"], ("history", i, "to")) if "to" in raw else None
        if start is None or ("to" in raw and end is None):
            prev = None
            continue
        if end is not None and end.day <= start.day:
            c.add(("history", i, "to"), f"to {end.text!r} is not after from {start.text!r}")
        if start.start > today:
            c.add(("history", i, "from"), f"from {start.text!r} is in the future", "warning")
        if prev is not None:
            j, _, pstart, pend = prev
            if start.day <= pstart.day:
                c.add(("history", i, "from"), f"periods must be in order: from {start.text!r} is not after history[{j}] from {pstart.text!r}")
            elif pend is not None and pend.day > start.day:
                c.add(("history", j, "to"), f"history[{j}] to {pend.text!r} overlaps history[{i}] from {start.text!r}")
            elif pend is not None and pend.day == start.day:
                c.add(("history", j, "to"), f"to {pend.text!r} equals the next period's from; omit it (a period lasts until the next begins)", "warning")
        if raw.get("territory") == raw["operator"]:
            c.add(("history", i, "territory"), "territory equals operator; omit it unless that is the point", "warning")
        prev = (i, raw, start, end)
        line = c.parsed.where(("history", i))[0]
        periods.append(Period(start, end, raw["operator"], raw["status"], raw.get("territory"),
                              raw["confidence"], tuple(raw["sources"]), raw.get("note"), line))
    return periods


def _check_ranges(c: _Collector, ranges: list[dict]) -> list[RangeRing]:
    out = []
    for i, raw in enumerate(ranges):
        start = c.date(raw["from"], ("ranges", i, "from"))
        end = c.date(raw["to"], ("ranges", i, "to")) if "to" in raw else None
        if start and end and end.day <= start.day:
            c.add(("ranges", i, "to"), f"to {end.text!r} is not after from {start.text!r}")
        if start:
            out.append(RangeRing(raw["name"], float(raw["km"]), start, end, tuple(raw["sources"]), raw.get("note")))
    return out


def check_url(url: str) -> str | None:
    """Why a source URL is unusable, or None. Only http(s) with a host is ever linked."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"URL scheme {parts.scheme!r} is not allowed; only http(s) links are made"
    if not parts.netloc or any(ch.isspace() for ch in url):
        return "URL has no host or contains spaces"
    return None
