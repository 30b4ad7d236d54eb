"""Exports: GeoJSON (RFC 7946), CSV and KML, for one date or the full history.

KML uses TimeSpan so Google Earth's time slider replays the history.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from numbers import Number

import simplekml

from .dataset import Dataset
from .dates import iso
from .timeline import DateLike

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Google Earth's stock white circle, tinted per operator (Google Earth ships its stock icons).
GE_ICON = "https://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"


def state_features(ds: Dataset, date: DateLike) -> dict:
    """A FeatureCollection with one Point per installation that has a record at `date`."""
    frame = ds.state_at(date)
    feats = []
    for row in frame.itertuples(index=False):
        props = row._asdict()
        lon, lat = props.pop("lon"), props.pop("lat")
        props["sources"] = list(props["sources"])
        feats.append({"type": "Feature", "id": props["id"], "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props})
    return {"type": "FeatureCollection", "features": feats}


def history_features(ds: Dataset) -> dict:
    """A FeatureCollection with one Point feature per period, carrying `start` and `end`."""
    pt, feats = ds.periods, []
    for i, rec in enumerate(ds.records):
        for row in range(pt.offsets[i], pt.offsets[i + 1]):
            d = pt.describe(row)
            props = {"id": rec.id, "name": rec.name, "kind": rec.kind, "country": rec.country,
                     "start": d["start"], "end": d["end"] or None, "since": d["since"],
                     "operator": d["operator"], "operator_name": ds.actor_name(d["operator"]),
                     "status": d["status"], "territory": d["territory"],
                     "territory_name": ds.actor_name(d["territory"]), "confidence": d["confidence"],
                     "sources": d["sources"], "note": d["note"]}
            feats.append({"type": "Feature", "id": f"{rec.id}/{row - pt.offsets[i]}",
                          "geometry": {"type": "Point", "coordinates": [rec.lon, rec.lat]}, "properties": props})
    return {"type": "FeatureCollection", "features": feats}


def to_geojson(collection: dict) -> str:
    return json.dumps(collection, ensure_ascii=False, indent=1)


def _cell(value) -> str:
    """CSV cell; lists joined by ';' and text that a spreadsheet would run as a formula defused.

    Numbers are written as numbers: quoting `-7.94` would make GDAL, QGIS and pandas read the
    coordinate as text and drop the point. Only text can carry a formula.
    """
    if value is None:
        return ""
    if isinstance(value, Number) and not isinstance(value, bool):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, (list, tuple)):
        value = ";".join(map(str, value))
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: Iterable[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buf.getvalue()


def state_csv(ds: Dataset, date: DateLike) -> str:
    frame = ds.state_at(date)
    return to_csv(frame.to_dict("records"), list(frame.columns))


def history_csv(ds: Dataset) -> str:
    feats = history_features(ds)["features"]
    rows = [{**f["properties"], "lon": f["geometry"]["coordinates"][0], "lat": f["geometry"]["coordinates"][1]} for f in feats]
    cols = ["id", "name", "kind", "country", "lat", "lon", "start", "end", "since", "operator", "operator_name",
            "status", "territory", "territory_name", "confidence", "sources", "note"]
    return to_csv(rows, cols)


def _kml_colour(hex_rgb: str) -> str:
    """#rrggbb -> KML's aabbggrr."""
    r, g, b = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"ff{b}{g}{r}"


def _describe(ds: Dataset, props: dict) -> str:
    """Plain-text description (simplekml escapes it); sources with their URLs."""
    lines = [f"{props['status']} -- operator: {props.get('operator_name') or props['operator']}"]
    if props.get("territory"):
        lines.append(f"territory: {props.get('territory_name') or props['territory']}")
    lines.append(f"confidence: {props['confidence']}; since {props['since']}")
    for sid in props["sources"]:
        src = ds.sources.get(sid)
        if src:
            lines.append(f"{src.publisher}: {src.title} ({src.date or 'n.d.'}) {src.url}")
    if props.get("note"):
        lines.append(props["note"])
    return "\n".join(lines)


def _styles(kml: simplekml.Kml, ds: Dataset) -> dict[str, simplekml.Style]:
    styles = {}
    for actor in ds.actors.values():
        style = simplekml.Style()
        style.iconstyle.color = _kml_colour(actor.colour)
        style.iconstyle.icon.href = GE_ICON
        style.labelstyle.scale = 0.8
        styles[actor.id] = style
    return styles


def to_kml(ds: Dataset, date: DateLike | None = None) -> str:
    """KML of the state at `date`, or of the full history with a TimeSpan per period."""
    kml = simplekml.Kml(name="Garrison" + (f" at {iso(int(ds.periods.state_at(date).day))}" if date is not None else " history"))
    styles = _styles(kml, ds)
    feats = state_features(ds, date)["features"] if date is not None else history_features(ds)["features"]
    for f in feats:
        p = f["properties"]
        lon, lat = f["geometry"]["coordinates"]
        # Flat placemarks: simplekml writes shared styles where first used, and KML wants them
        # in the Document for every folder to see them.
        pm = kml.newpoint(name=p["name"], coords=[(lon, lat)], description=_describe(ds, p))
        pm.extendeddata.newdata("id", p["id"])
        pm.extendeddata.newdata("status", p["status"])
        pm.extendeddata.newdata("operator", p["operator"] or "")
        if date is None:
            pm.timespan.begin = p["start"]
            if p["end"]:
                pm.timespan.end = p["end"]
        if p["operator"] in styles:
            pm.style = styles[p["operator"]]
    return kml.kml()
