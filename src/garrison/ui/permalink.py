"""The view: the one value that says what the page shows (date, compare date, selection,
filters, search, map view, basemap, language), and its URL query parameters -- read and written here only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..dataset import Dataset
from ..dates import parse_partial
from ..i18n import supported

LIST_KEYS = ("op", "country", "kind", "status")
BASEMAPS = ("offline", "osm", "satellite")


@dataclass
class View:
    date: dt.date | None = None
    compare: dt.date | None = None
    select: str | None = None
    filters: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in LIST_KEYS})
    q: str = ""
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
    basemap: str = "offline"
    lang: str | None = None  # the reader's explicit choice (link or menu); None: the browser's


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return parse_partial(text).start
    except ValueError:
        return None


def _float(text: str | None, lo: float, hi: float) -> float | None:
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return value if lo <= value <= hi else None


def parse_view(params: Mapping[str, str], ds: Dataset) -> View:
    """A View from query parameters; unknown or malformed values are ignored, never trusted."""
    v = View()
    v.date, v.compare = _date(params.get("date")), _date(params.get("compare"))
    sel = params.get("select")
    v.select = sel if sel in ds.index else None
    valid = {"op": set(ds.actors), "country": {r.country for r in ds.records},
             "kind": {r.kind for r in ds.records}, "status": None}
    from ..vocab import STATUSES
    valid["status"] = set(STATUSES)
    for key in LIST_KEYS:
        raw = params.get(key) or ""
        v.filters[key] = list(dict.fromkeys(x for x in raw.split(",") if x in valid[key]))
    v.q = (params.get("q") or "")[:200]
    v.lat, v.lon = _float(params.get("lat"), -90, 90), _float(params.get("lon"), -180, 180)
    zoom = _float(params.get("zoom"), 1, 18)
    v.zoom = int(zoom) if zoom is not None else None
    if None in (v.lat, v.lon, v.zoom):  # a map view is all three or nothing
        v.lat = v.lon = v.zoom = None
    basemap = params.get("basemap")
    v.basemap = basemap if basemap in BASEMAPS else "offline"
    v.lang = supported(params.get("lang"))
    if v.select and v.date is None:
        # a link to one installation opens at its latest change
        v.date = max(parse_partial(h["start"]).start for h in ds.history(v.select))
    return v


def to_params(v: View) -> dict[str, str]:
    """Query parameters for a View (empty values left out)."""
    out: dict[str, str] = {}
    if v.date:
        out["date"] = v.date.isoformat()
    if v.compare:
        out["compare"] = v.compare.isoformat()
    if v.select:
        out["select"] = v.select
    for key in LIST_KEYS:
        if v.filters.get(key):
            out[key] = ",".join(v.filters[key])
    if v.q:
        out["q"] = v.q
    if v.lat is not None and v.lon is not None and v.zoom is not None:
        out["lat"], out["lon"], out["zoom"] = f"{v.lat:.4f}", f"{v.lon:.4f}", str(v.zoom)
    if v.basemap != "offline":
        out["basemap"] = v.basemap
    if v.lang:
        out["lang"] = v.lang
    return out
