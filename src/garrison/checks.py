"""Meaning checks that a JSON Schema cannot express. Each returns Problems, never raises."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pyproj import Geod
from shapely.geometry import Point, shape

from .dates import PartialDate, parse_partial
from .model import Claim, Installation, Period, RangeRing
from .problems import Problem, field_name
from .yamlsafe import Parsed

_GEOD = Geod(ellps="WGS84")
#: A footprint whose nearest edge is farther than this from the point is probably misplaced.
FOOTPRINT_MAX_KM = 25.0
#: A record last checked longer ago than this is due for another look at its sources (a warning).
CHECKED_MAX_AGE = dt.timedelta(days=365)
#: How a missing `position` is reported. A warning while the bundled data is being given one
#: (issue 10); make it "error" once every bundled installation has it.
POSITION_MISSING: str = "warning"
#: The fields a period changes (and a claim disputes).
CLAIM_FIELDS = ("operator", "status", "territory")


class _Collector:
    def __init__(self, parsed: Parsed, file: str, record: str | None):
        self.parsed, self.file, self.record, self.items = parsed, file, record, []

    def add(self, path: tuple, msg: str, severity: str = "error", key: bool = False, at: tuple | None = None) -> None:
        """A problem with the field at `path`, located there (or at `at`, for a field that is missing)."""
        line, col = self.parsed.where(path if at is None else at, key=key)
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
    _check_precision(c, doc)
    aliases = _check_aliases(c, doc.get("aliases") or [])
    checked = _check_checked(c, doc)
    history = _check_history(c, doc["history"], today or dt.date.today())
    ranges = _check_ranges(c, doc.get("ranges") or [])
    if any(p.severity == "error" for p in c.items):
        return None, c.items
    km = doc.get("position_km")
    inst = Installation(
        id=doc["id"], name=doc["name"], kind=doc["kind"], country=doc["country"],
        lat=float(doc["lat"]), lon=float(doc["lon"]), history=history,
        names=dict(doc.get("names") or {}), footprint=doc.get("footprint"), ranges=ranges,
        aliases=aliases, checked=checked, position=doc.get("position"),
        position_km=float(km) if km is not None else None,
        file=file, line=parsed.where(())[0],
    )
    return inst, c.items


def _check_precision(c: _Collector, doc: dict) -> None:
    """`position` is required; `position_km` goes with `approximate` and never with `exact`."""
    position = doc.get("position")
    if position is None:
        c.add(("position",), "'position' is missing: write `position: exact` (the facility itself, within about 1 km) "
              "or `position: approximate` with `position_km`", POSITION_MISSING)
    elif position == "approximate" and "position_km" not in doc:
        c.add(("position_km",), "'position_km' is required with position approximate: the radius of uncertainty in km",
              at=("position",))
    elif position == "exact" and "position_km" in doc:
        c.add(("position_km",), "position_km goes only with `position: approximate`; an exact position is within about 1 km")


def _check_aliases(c: _Collector, aliases: list[str]) -> tuple[str, ...]:
    """Aliases once each (compared as written, ignoring surrounding spaces)."""
    seen: dict[str, int] = {}
    for i, alias in enumerate(aliases):
        key = alias.strip()
        if key in seen:
            c.add(("aliases", i), f"alias {alias!r} repeats aliases[{seen[key]}]; list each spelling once")
        else:
            seen[key] = i
    return tuple(aliases)


def _check_checked(c: _Collector, doc: dict) -> PartialDate | None:
    """The day the record was last verified; a warning when it is missing (its age is checked when loading)."""
    if "checked" not in doc:
        c.add(("checked",), "'checked' is missing: give the day you last verified this record against its sources "
              "(checked: 'YYYY-MM-DD')", "warning")
        return None
    return c.date(doc["checked"], ("checked",))


def checked_problem(rec: Installation, parsed: Parsed, file: str, today: dt.date | None = None) -> Problem | None:
    """A warning when the record was last checked more than CHECKED_MAX_AGE before `today`.

    Asked when a dataset is put together, not when the file is parsed: the answer changes with
    the day while the file (and its cached parse) does not.
    """
    today = today or dt.date.today()
    if rec.checked is None or today - rec.checked.start <= CHECKED_MAX_AGE:
        return None
    line, col = parsed.where(("checked",))
    return Problem(file, line, col, "checked", f"record last checked {rec.checked.text}, more than a year ago; "
                   "verify it against its sources again and update `checked`", "warning", rec.id)


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
        if prev is not None and prev[3] is None:
            _check_unchanged(c, i, prev[0], prev[1], raw)
        claims = _check_claims(c, i, raw)
        prev = (i, raw, start, end)
        line = c.parsed.where(("history", i))[0]
        periods.append(Period(start, end, raw["operator"], raw["status"], raw.get("territory"),
                              raw["confidence"], tuple(raw["sources"]), raw.get("note"), line, claims))
    return periods


def _check_unchanged(c: _Collector, i: int, j: int, before: dict, raw: dict) -> None:
    """A warning for a period that follows its predecessor directly and changes none of its fields."""
    if all(raw.get(f) == before.get(f) for f in CLAIM_FIELDS):
        c.add(("history", i), f"history[{i}] changes none of operator, status and territory from history[{j}]; "
              "merge them (put the later facts in the note, keep both sources)", "warning")


def _check_claims(c: _Collector, i: int, raw: dict) -> tuple[Claim, ...]:
    """Each claim names a value of its own; a period with claims is `disputed`."""
    claims = raw.get("claims") or []
    if claims and raw["confidence"] != "disputed":
        c.add(("history", i, "confidence"), f"a period with claims must have confidence 'disputed', not {raw['confidence']!r}")
    out = []
    for j, claim in enumerate(claims):
        named = [f for f in CLAIM_FIELDS if f in claim]
        if not named:
            c.add(("history", i, "claims", j), "a claim must name at least one of operator, status and territory")
        for f in named:
            if claim[f] == raw.get(f):
                c.add(("history", i, "claims", j, f), f"claim {f} {claim[f]!r} is the period's own {f}; "
                      "a claim gives only what its sources say differently")
        out.append(Claim(tuple(claim["sources"]), claim.get("operator"), claim.get("status"),
                         claim.get("territory"), claim.get("note")))
    return tuple(out)


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
